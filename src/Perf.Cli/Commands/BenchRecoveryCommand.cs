using System.CommandLine;
using Perf.Cli.Display;
using Perf.Cli.Load;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf bench recovery</c>: measures how long the engine takes until every series answers its state query,
/// typically right after a restart, when each series actor has to recover first.
/// </summary>
public sealed class BenchRecoveryCommand : Command
{
    public BenchRecoveryCommand()
        : base("recovery", "Ask GET /api/v1/series/{host}/{metric}/state for every series until each answers 200 " +
                           "and report the time it took, series/s and per-request latency.")
    {
        Options.Add(UrlOption);
        Options.Add(HostsOption);
        Options.Add(MetricsOption);
        Options.Add(ConcurrencyOption);
        Options.Add(ByHostOption);
        Options.Add(TimeoutOption);
        Options.Add(RequestTimeoutOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(PlainOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<int> HostsOption { get; } = BenchOptionFactory.Hosts(100);

    public Option<int> MetricsOption { get; } = BenchOptionFactory.Metrics(10);

    public Option<int> ConcurrencyOption { get; } = BenchOptionFactory.Concurrency(32);

    public Option<bool> ByHostOption { get; } = new("--by-host")
    {
        Description = "Ask GET /api/v1/hosts/{host} once per host instead (it must list every series with a point): " +
                      "the hosts' recovery without an HTTP request per series.",
    };

    public DurationOption TimeoutOption { get; } = new("--timeout",
        TimeSpan.FromSeconds(300), "Give up on series that have not answered 200 by then, e.g. 300s, 5m.");

    public DurationOption RequestTimeoutOption { get; } = new("--request-timeout",
        TimeSpan.FromSeconds(30), "Treat one request without an answer after this long as not ready yet.");

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    public RecoveryOptions ReadOptions(ParseResult parseResult) => new()
    {
        BaseUrl = parseResult.GetRequiredValue(UrlOption),
        Hosts = parseResult.GetValue(HostsOption),
        Metrics = parseResult.GetValue(MetricsOption),
        Concurrency = parseResult.GetValue(ConcurrencyOption),
        ByHost = parseResult.GetValue(ByHostOption),
        Timeout = TimeoutOption.GetDuration(parseResult),
        RequestTimeout = RequestTimeoutOption.GetDuration(parseResult),
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = ReadOptions(parseResult);
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output,
            parseResult.GetValue(PlainOption));
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency,
            parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));

        var driver = new RecoveryDriver(options, http);
        await console.Plain.WriteLineAsync(
            $"perf bench recovery: {driver.Catalog.SeriesCount:N0} series ({options.Hosts} hosts x {options.Metrics} metrics), " +
            $"{Math.Min(options.Concurrency, driver.Catalog.SeriesCount)} in flight, timeout {options.Timeout.TotalSeconds:0.#} s, target {options.BaseUrl}")
            .ConfigureAwait(false);

        var run = driver.RunAsync(cancellationToken);
        await new RecoveryProgressView(console, driver.Counters, driver.Catalog.SeriesCount).ShowUntilDoneAsync(run)
            .ConfigureAwait(false);
        var outcome = await run.ConfigureAwait(false);

        console.Rich.Write(RecoveryReport.ToTable(outcome));
        await console.Plain.WriteLineAsync(RecoveryReport.ToResultLine(outcome).ToString()).ConfigureAwait(false);
        await console.Plain.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return outcome.AllAnswered ? 0 : 1;
    }
}
