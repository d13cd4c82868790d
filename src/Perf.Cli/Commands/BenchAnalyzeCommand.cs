using System.CommandLine;
using System.Globalization;
using Perf.Cli.Display;
using Perf.Cli.Load;

namespace Perf.Cli.Commands;

/// <summary><c>perf bench analyze</c>: loads hours of one-minute history, then times full analyses of it (<see cref="AnalyzeLoad"/>).</summary>
public sealed class BenchAnalyzeCommand : Command
{
    public BenchAnalyzeCommand()
        : base("analyze", "Write HOURS of one-minute history for HOSTS x METRICS series, then time POST /api/v1/performance/analyze " +
                          "(full analysis of every metric of a host over the whole history).")
    {
        Options.Add(UrlOption);
        Options.Add(HostsOption);
        Options.Add(MetricsOption);
        Options.Add(HoursOption);
        Options.Add(RequestsOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(PlainOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<int> HostsOption { get; } = BenchOptionFactory.Hosts(10);

    public Option<int> MetricsOption { get; } = BenchOptionFactory.Metrics(10);

    public Option<int> HoursOption { get; } = BenchOptionFactory.PositiveInt("--hours", 24, "Hours of one-minute history per series.", "N");

    public Option<int> RequestsOption { get; } = BenchOptionFactory.PositiveInt("--requests", 20, "Analyses to time, one after another.", "N");

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var baseUrl = BenchHttpClientFactory.WithTrailingSlash(parseResult.GetRequiredValue(UrlOption));
        var (hosts, metrics, hours, requests) = (parseResult.GetValue(HostsOption), parseResult.GetValue(MetricsOption),
            parseResult.GetValue(HoursOption), parseResult.GetValue(RequestsOption));
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output, parseResult.GetValue(PlainOption));
        using var http = BenchHttpClientFactory.Create(baseUrl, 2, parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        var load = new AnalyzeLoad(http, baseUrl, hosts, metrics, hours);

        await console.Plain.WriteLineAsync($"perf bench analyze: {hosts * metrics} series ({hosts} hosts x {metrics} metrics), {hours} h of one-minute history, target {baseUrl}")
            .ConfigureAwait(false);
        await load.LoadHistoryAsync(done => console.Plain.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  history {done:P0}")), cancellationToken)
            .ConfigureAwait(false);
        await load.AnalyzeAsync(requests, done =>
        {
            if (done % Math.Max(1, requests / 5) == 0)
                console.Plain.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {done}/{requests} analyses, p50 {load.Latency.PercentileMilliseconds(50):F0} ms"));
        }, cancellationToken).ConfigureAwait(false);

        var line = new ResultLine()
            .Add("series", hosts * metrics)
            .Add("hours", hours)
            .Add("metrics_per_analysis", metrics)
            .Add("analyses", load.Latency.Count)
            .Add("p50_ms", load.Latency.PercentileMilliseconds(50), 1)
            .Add("p99_ms", load.Latency.PercentileMilliseconds(99), 1)
            .Add("max_ms", load.Latency.MaxMilliseconds, 1);
        await console.Plain.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        await console.Plain.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }
}
