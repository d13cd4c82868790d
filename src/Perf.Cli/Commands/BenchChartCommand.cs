using System.CommandLine;
using Perf.Cli.Charts;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf bench chart</c>: draws the <c>RESULT</c> lines of <c>perf bench remote-write</c> runs (saved to a file, as
/// bench/remote-write.sh does) as an SVG chart of achieved against asked samples per second, one line per receiver.
/// </summary>
public sealed class BenchChartCommand : Command
{
    public BenchChartCommand()
        : base("chart", "Chart the RESULT lines of perf bench remote-write runs as SVG.")
    {
        Arguments.Add(InputArgument);
        Options.Add(OutputOption);
        Options.Add(TitleOption);
        SetAction(RunAsync);
    }

    public Argument<FileInfo> InputArgument { get; } = new("results") { Description = "File with the RESULT lines." };

    public Option<FileInfo> OutputOption { get; } = new("--output", "-o") { Description = "The SVG file to write.", Required = true, HelpName = "FILE" };

    public Option<string> TitleOption { get; } = new("--title") { Description = "The chart's title.", DefaultValueFactory = _ => "Prometheus remote write", HelpName = "TEXT" };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var runs = RemoteWriteChart.Parse(await File.ReadAllLinesAsync(parseResult.GetRequiredValue(InputArgument).FullName, cancellationToken).ConfigureAwait(false));
        if (runs.Count == 0)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync("perf bench chart: no RESULT receiver=... lines of perf bench remote-write in the input").ConfigureAwait(false);
            return 1;
        }
        var output = parseResult.GetRequiredValue(OutputOption);
        await File.WriteAllTextAsync(output.FullName, RemoteWriteChart.Svg(runs, parseResult.GetRequiredValue(TitleOption)), cancellationToken).ConfigureAwait(false);
        await parseResult.InvocationConfiguration.Output.WriteLineAsync($"perf bench chart: {runs.Count} runs of {runs.Select(r => r.Receiver).Distinct().Count()} receivers drawn to {output.FullName}").ConfigureAwait(false);
        return 0;
    }
}
