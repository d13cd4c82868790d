using System.CommandLine;
using Perf.Cli.Commands;

namespace Perf.Api.Tests.Infrastructure;

/// <summary>The <c>perf</c> command run in-process, as the CLI tests run it, with its output captured.</summary>
public static class PerfCli
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await new PerfRootCommand().Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}
