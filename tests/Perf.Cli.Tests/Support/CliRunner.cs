using System.CommandLine;
using Perf.Cli.Commands;

namespace Perf.Cli.Tests.Support;

/// <summary>Runs the <c>perf</c> command in-process, as typed on a command line: its exit code and what it printed.</summary>
public static class CliRunner
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(string commandLine) => InvokeAsync(new PerfRootCommand().Parse(commandLine));

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args) => InvokeAsync(new PerfRootCommand().Parse(args));

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(ParseResult parsed)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}
