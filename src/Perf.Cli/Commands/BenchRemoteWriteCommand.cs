using System.CommandLine;
using System.Globalization;
using Perf.Cli.Display;
using Perf.Cli.Load;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf bench remote-write</c>: a Prometheus remote-write load (<see cref="RemoteWriteLoad"/>) against any receiver
/// (Perf's <c>/api/v1/write</c>, or a Prometheus started with <c>--web.enable-remote-write-receiver</c>), one run per
/// rate given, reporting what the receiver sustained, request latency, and (with <c>--pid</c>) its CPU time and
/// resident memory. Each run ends with a <c>RESULT</c> line for scripts.
/// </summary>
public sealed class BenchRemoteWriteCommand : Command
{
    public BenchRemoteWriteCommand()
        : base("remote-write", "Prometheus remote-write load against Perf or Prometheus.")
    {
        Options.Add(UrlOption);
        Options.Add(PathOption);
        Options.Add(SeriesOption);
        Options.Add(HostsOption);
        Options.Add(RatesOption);
        Options.Add(DurationOption);
        Options.Add(ConcurrencyOption);
        Options.Add(SeriesPerRequestOption);
        Options.Add(PidOption);
        Options.Add(LabelOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<string> PathOption { get; } = new("--path") { Description = "Remote-write path on the receiver.", DefaultValueFactory = _ => "/api/v1/write", HelpName = "PATH" };

    public Option<int> SeriesOption { get; } = BenchOptionFactory.PositiveInt("--series", 10_000, "Distinct series (S).", "S");

    public Option<int> HostsOption { get; } = BenchOptionFactory.PositiveInt("--hosts", 100, "Instances the series are spread over.", "H");

    public Option<string> RatesOption { get; } = new("--rates")
    {
        Description = "Samples per second (R), one run each, comma-separated, e.g. 20000,50000,100000.",
        DefaultValueFactory = _ => "50000",
        HelpName = "R[,R...]",
    };

    public DurationOption DurationOption { get; } = new("--duration", TimeSpan.FromSeconds(30), "Length of each run.");

    public Option<int> ConcurrencyOption { get; } = BenchOptionFactory.Concurrency(8);

    public Option<int> SeriesPerRequestOption { get; } = BenchOptionFactory.PositiveInt("--series-per-request", 500, "Samples per request (Prometheus' max_samples_per_send: 500 by default in 2.x).", "N");

    public Option<int?> PidOption { get; } = new("--pid") { Description = "The receiver's process id, to report its CPU seconds and resident memory.", HelpName = "PID" };

    public Option<string> LabelOption { get; } = new("--label") { Description = "Name of the receiver in the RESULT lines.", DefaultValueFactory = _ => "receiver", HelpName = "NAME" };

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var concurrency = parseResult.GetValue(ConcurrencyOption);
        using var http = BenchHttpClientFactory.Create(parseResult.GetRequiredValue(UrlOption), concurrency, parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        http.Timeout = TimeSpan.FromSeconds(60);
        var label = parseResult.GetRequiredValue(LabelOption);
        foreach (var text in parseResult.GetRequiredValue(RatesOption).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var rate = double.Parse(text, CultureInfo.InvariantCulture);
            var load = new RemoteWriteLoad(http, parseResult.GetRequiredValue(PathOption).TrimStart('/'), parseResult.GetValue(SeriesOption), parseResult.GetValue(HostsOption),
                rate, DurationOption.GetDuration(parseResult), concurrency, parseResult.GetValue(SeriesPerRequestOption));
            var requests = load.Encode(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await output.WriteLineAsync($"perf bench remote-write: {label}, {Formatting.Rate(rate)} samples/s, {requests.Count} requests encoded ({Formatting.Bytes(requests.Sum(r => (long)r.Body.Length))})").ConfigureAwait(false);
            var result = await load.RunAsync(requests, parseResult.GetValue(PidOption), cancellationToken).ConfigureAwait(false);
            var millions = result.Samples / 1e6;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"RESULT receiver={label} target={rate:0} achieved={result.AchievedRate:0} kept_up={(result.KeptUp ? "yes" : "no")} samples={result.Samples} requests={result.Requests}/{result.Planned} errors={result.Errors} " +
                $"p50_ms={result.P50Ms:0.0} p99_ms={result.P99Ms:0.0} elapsed_s={result.Elapsed.TotalSeconds:0.0} " +
                $"cpu_s={result.CpuSeconds:0.0} cpu_s_per_million={(millions > 0 ? result.CpuSeconds / millions : null):0.00} " +
                $"rss_mb={result.RssBytes / 1048576.0:0} rss_mb_per_million={(millions > 0 ? result.RssBytes / 1048576.0 / millions : null):0.0}")).ConfigureAwait(false);
            if (result.FirstError is not null) await output.WriteLineAsync($"perf bench remote-write: first error: {result.FirstError}").ConfigureAwait(false);
        }
        return 0;
    }
}
