using Spectre.Console;

namespace Perf.Cli.Display;

/// <summary>
/// Where a benchmark writes: <see cref="Rich"/> for Spectre tables and live views, <see cref="Plain"/> for
/// lines that must stay intact (progress lines in logs, the <c>RESULT</c> line that scripts grep).
/// <see cref="Live"/> is true only on an interactive terminal: redirected output gets periodic plain lines
/// instead of cursor movement that would litter a log file.
/// </summary>
public sealed record BenchConsole(IAnsiConsole Rich, TextWriter Plain, bool Live)
{
    public static BenchConsole For(TextWriter output, bool forcePlain)
    {
        if (ReferenceEquals(output, Console.Out))
        {
            var live = !forcePlain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            return new BenchConsole(AnsiConsole.Console, output, live);
        }

        // Any other writer (a test's StringWriter, a file) gets a plain, uncoloured console of its own.
        var rich = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        return new BenchConsole(rich, output, Live: false);
    }
}
