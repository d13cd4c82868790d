using System.CommandLine;
using Perf.Cli.Display;
using Perf.Cli.Load;
using Perf.Cli.Metrics;

namespace Perf.Cli.Commands;

/// <summary><c>perf bench ingest</c>: drives write load at the engine and reports throughput, latency and memory.</summary>
public sealed class BenchIngestCommand : Command
{
    public BenchIngestCommand()
        : base("ingest", "Send synthetic metric batches to POST /api/v1/performance/metrics and measure " +
                         "accepted points/s, acknowledgement latency and the engine's memory per series.")
    {
        Options.Add(UrlOption);
        Options.Add(HostsOption);
        Options.Add(MetricsOption);
        Options.Add(RateOption);
        Options.Add(DurationOption);
        Options.Add(BatchPointsOption);
        Options.Add(ConcurrencyOption);
        Options.Add(PointsOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(RequestTimeoutOption);
        Options.Add(PidOption);
        Options.Add(MetricsUrlOption);
        Options.Add(PlainOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<int> HostsOption { get; } = BenchOptionFactory.Hosts(100);

    public Option<int> MetricsOption { get; } = BenchOptionFactory.Metrics(10);

    public Option<double> RateOption { get; } = CreateRateOption();

    public DurationOption DurationOption { get; } = new("--duration",
        TimeSpan.FromSeconds(30), "How long to send load, e.g. 30s, 2m, 1m30s (0 = until --points are sent).",
        allowZero: true);

    public Option<int> BatchPointsOption { get; } = BenchOptionFactory.PositiveInt("--batch-points", 1000,
        "Points (samples) per request.", "N");

    public Option<int> ConcurrencyOption { get; } = BenchOptionFactory.Concurrency(16);

    public Option<long> PointsOption { get; } = CreatePointsOption();

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public DurationOption RequestTimeoutOption { get; } = new("--request-timeout",
        TimeSpan.FromSeconds(60), "Give up on one request after this long and count it as an error.");

    public Option<int?> PidOption { get; } = new("--pid")
    {
        Description = "Read the engine's resident memory from /proc/PID/status instead of its /metrics gauge, and its CPU time during the run from /proc/PID/stat.",
        HelpName = "PID",
    };

    public Option<Uri?> MetricsUrlOption { get; } = new("--metrics-url")
    {
        Description = "Prometheus endpoint to read perf_process_resident_memory_bytes and perf_series_active " +
                      "from (default: URL/metrics).",
        HelpName = "URL",
    };

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    /// <summary>Reads the driver's settings from a parse of this command (tests use it to check parsing).</summary>
    public IngestOptions ReadOptions(ParseResult parseResult) => new()
    {
        BaseUrl = parseResult.GetRequiredValue(UrlOption),
        Hosts = parseResult.GetValue(HostsOption),
        Metrics = parseResult.GetValue(MetricsOption),
        PointsPerSecond = parseResult.GetValue(RateOption),
        Duration = DurationOption.GetDuration(parseResult),
        BatchPoints = parseResult.GetValue(BatchPointsOption),
        Concurrency = parseResult.GetValue(ConcurrencyOption),
        MaxPoints = parseResult.GetValue(PointsOption),
        RequestTimeout = RequestTimeoutOption.GetDuration(parseResult),
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = ReadOptions(parseResult);
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output,
            parseResult.GetValue(PlainOption));
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency + 1,
            parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));

        var driver = new IngestDriver(options, http);
        await console.Plain.WriteLineAsync(
            $"perf bench ingest: {driver.Catalog.SeriesCount:N0} series ({options.Hosts} hosts x {options.Metrics} metrics), " +
            $"rate {(options.PointsPerSecond > 0 ? $"{options.PointsPerSecond:N0} points/s" : "unlimited")}, " +
            $"{options.BatchPoints} points/request, {driver.WorkerCount} in flight, target {options.BaseUrl}")
            .ConfigureAwait(false);

        var pid = parseResult.GetValue(PidOption);
        var cpuBefore = pid is { } before ? ProcessStatusReader.ReadCpuSeconds(before) : null;
        var run = driver.RunAsync(cancellationToken);
        await new IngestProgressView(console, driver.Counters, options.Duration).ShowUntilDoneAsync(run)
            .ConfigureAwait(false);
        var outcome = await run.ConfigureAwait(false);

        var metricsUrl = parseResult.GetValue(MetricsUrlOption)
                         ?? new Uri(BenchHttpClientFactory.WithTrailingSlash(options.BaseUrl), EnginePaths.PrometheusMetrics);
        // The footprint is read after the run, so it includes every series the run created. Not cancelled
        // with the run: a Ctrl+C still deserves the memory figures.
        var footprint = await new EngineFootprintProbe(http, metricsUrl, pid).ReadAsync(CancellationToken.None).ConfigureAwait(false);
        footprint = footprint with { CpuSeconds = pid is { } after ? ProcessStatusReader.ReadCpuSeconds(after) - cpuBefore : null };

        console.Rich.Write(IngestReport.ToTable(outcome, driver.Catalog.SeriesCount, footprint));
        await console.Plain.WriteLineAsync(
            IngestReport.ToResultLine(outcome, driver.Catalog.SeriesCount, footprint).ToString()).ConfigureAwait(false);
        await console.Plain.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        // Nothing accepted means the run measured nothing: fail so scripts notice.
        return outcome.Totals.AcceptedPoints > 0 ? 0 : 1;
    }

    private static Option<long> CreatePointsOption()
    {
        var option = new Option<long>("--points")
        {
            Description = "Stop after this many points were sent (0 = no limit, only --duration).",
            HelpName = "N",
            DefaultValueFactory = _ => 0,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 0)
            {
                result.AddError("--points must be 0 (no limit) or a positive number.");
            }
        });
        return option;
    }

    private static Option<double> CreateRateOption()
    {
        var option = new Option<double>("--rate")
        {
            Description = "Target points per second over all requests (0 = as fast as possible).",
            HelpName = "POINTS_PER_SEC",
            DefaultValueFactory = _ => 0,
        };
        option.Validators.Add(result =>
        {
            var rate = result.GetValueOrDefault<double>();
            if (rate < 0 || !double.IsFinite(rate))
            {
                result.AddError("--rate must be 0 (unlimited) or a positive number.");
            }
        });
        return option;
    }
}
