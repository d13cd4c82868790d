using System.CommandLine;
using System.Globalization;
using Perf.Cli.Display;
using Perf.Cli.Load;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf bench alerts</c>: alert latency under load. While <c>perf bench ingest</c>'s load keeps HOSTS x METRICS series
/// busy, probes make the default cpu_usage rule fire on fresh hosts and time each from the POST that fires it to the
/// event on the alert stream (<see cref="AlertProbe"/>). With <c>--stream-clients N</c>, N more clients hold the alert
/// stream open the whole time (<see cref="StreamListeners"/>), to show what connected consumers cost.
/// </summary>
public sealed class BenchAlertsCommand : Command
{
    public BenchAlertsCommand()
        : base("alerts", "Measure alert latency (the POST that makes a rule fire -> its event on the SSE alert stream) while " +
                         "ingest load keeps many series busy.")
    {
        Options.Add(UrlOption);
        Options.Add(HostsOption);
        Options.Add(MetricsOption);
        Options.Add(ProbesOption);
        Options.Add(RateOption);
        Options.Add(ConcurrencyOption);
        Options.Add(StreamClientsOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(PlainOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<int> HostsOption { get; } = BenchOptionFactory.Hosts(1000);

    public Option<int> MetricsOption { get; } = BenchOptionFactory.Metrics(10);

    public Option<int> ProbesOption { get; } = BenchOptionFactory.PositiveInt("--probes", 200, "Alerts to make fire, one after another.", "N");

    public Option<int> ConcurrencyOption { get; } = BenchOptionFactory.Concurrency(8);

    public Option<int> StreamClientsOption { get; } = new("--stream-clients")
    {
        Description = "Further clients that hold the SSE alert stream open during the run.",
        HelpName = "N",
        DefaultValueFactory = _ => 0,
    };

    public Option<double> RateOption { get; } = new("--rate")
    {
        Description = "Load in points/s across all series (0 = as fast as the engine accepts).",
        HelpName = "POINTS_PER_SEC",
        DefaultValueFactory = _ => 0,
    };

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var baseUrl = BenchHttpClientFactory.WithTrailingSlash(parseResult.GetRequiredValue(UrlOption));
        var probes = parseResult.GetValue(ProbesOption);
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output, parseResult.GetValue(PlainOption));
        var load = new IngestOptions
        {
            BaseUrl = baseUrl,
            Hosts = parseResult.GetValue(HostsOption),
            Metrics = parseResult.GetValue(MetricsOption),
            Concurrency = parseResult.GetValue(ConcurrencyOption),
            PointsPerSecond = parseResult.GetValue(RateOption),
            Duration = TimeSpan.Zero, // until the probes are done
        };
        using var http = BenchHttpClientFactory.Create(baseUrl, load.Concurrency + 4,
            parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        var driver = new IngestDriver(load, http);
        var streamClients = Math.Max(0, parseResult.GetValue(StreamClientsOption));
        using var listenerHttp = BenchHttpClientFactory.Create(baseUrl, streamClients + 1,
            parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        var listeners = new StreamListeners(listenerHttp, streamClients);
        await console.Plain.WriteLineAsync(
            $"perf bench alerts: {probes} probes while {driver.Catalog.SeriesCount:N0} series ({load.Hosts} hosts x {load.Metrics} metrics) take " +
            $"{(load.PointsPerSecond > 0 ? $"{load.PointsPerSecond:N0} points/s" : "unlimited")} load with {driver.WorkerCount} requests in flight, target {baseUrl}").ConfigureAwait(false);

        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = await listeners.ConnectAsync(stopLoad.Token).ConfigureAwait(false);
        if (streamClients > 0) await console.Plain.WriteLineAsync($"  {listeners.Connected} stream clients connected").ConfigureAwait(false);
        var loading = driver.RunAsync(stopLoad.Token);
        // A few seconds of load first, so every series exists and the probes meet a busy engine.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        var probe = new AlertProbe(http, baseUrl, $"alert-probe-{DateTime.UtcNow:yyyyMMddHHmmss}-");
        var started = DateTime.UtcNow;
        await probe.RunAsync(probes, done =>
        {
            if (done % Math.Max(1, probes / 10) == 0 || done == probes)
                console.Plain.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {done}/{probes} probes, p50 {probe.Latency.PercentileMilliseconds(50):F1} ms, p99 {probe.Latency.PercentileMilliseconds(99):F1} ms, " +
                    $"{driver.Counters.Snapshot().AcceptedPoints:N0} load points accepted"));
        }, cancellationToken).ConfigureAwait(false);
        var probing = DateTime.UtcNow - started;
        await stopLoad.CancelAsync().ConfigureAwait(false);
        var outcome = await loading.ConfigureAwait(false);
        await listening.ConfigureAwait(false);

        var line = new ResultLine()
            .Add("probes", probe.Latency.Count)
            .Add("p50_ms", probe.Latency.PercentileMilliseconds(50), 1)
            .Add("p99_ms", probe.Latency.PercentileMilliseconds(99), 1)
            .Add("max_ms", probe.Latency.MaxMilliseconds, 1)
            .Add("ack_p50_ms", probe.Acknowledgement.PercentileMilliseconds(50), 1)
            .Add("ack_p99_ms", probe.Acknowledgement.PercentileMilliseconds(99), 1)
            .Add("series", driver.Catalog.SeriesCount)
            .Add("stream_clients", streamClients)
            .Add("stream_client_events", listeners.Events)
            .Add("stream_clients_dropped", listeners.Dropped)
            .Add("load_points_per_sec", outcome.Totals.AcceptedPoints / Math.Max(1e-9, outcome.Elapsed.TotalSeconds), 0)
            .Add("probing_s", probing.TotalSeconds, 1);
        await console.Plain.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        await console.Plain.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return probe.Latency.Count == probes ? 0 : 1;
    }
}
