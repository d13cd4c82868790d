using System.Net;
using System.Text.Json;

namespace Perf.Cli.Load;

/// <summary>
/// The probe behind <c>perf bench recovery</c>: asks every series for its state
/// (<c>GET /api/v1/series/{host}/{metric}/state</c>) with bounded concurrency until each has answered 200.
/// 429, 502, 503, 504, timeouts and connection errors mean "not ready yet" (e.g. the engine is restarting
/// or recovering its actors) and are retried until the overall timeout; other statuses fail that series.
/// With <see cref="RecoveryOptions.ByHost"/>, each host is asked once for all its series (<c>GET /api/v1/hosts/{host}</c>),
/// and its answer counts only when every series of the catalog is in it with a point.
/// </summary>
public sealed class RecoveryDriver
{
    private readonly RecoveryOptions options;
    private readonly HttpClient http;
    private readonly TimeProvider time;
    private int nextSeriesIndex = -1;
    private long lastAnswerTimestamp;

    public RecoveryDriver(RecoveryOptions options, HttpClient http, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        this.options = options;
        this.http = http;
        this.time = time ?? TimeProvider.System;
        Catalog = new SeriesCatalog(options.Hosts, options.Metrics);
    }

    public SeriesCatalog Catalog { get; }

    public RecoveryCounters Counters { get; } = new();

    public async Task<RecoveryOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var startTimestamp = time.GetTimestamp();
        lastAnswerTimestamp = startTimestamp;
        using var timedOut = new CancellationTokenSource(options.Timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timedOut.Token);

        var workerCount = Math.Min(options.Concurrency, WorkItems);
        var workers = Enumerable.Range(0, workerCount)
            .Select(_ => Task.Run(() => RunWorkerAsync(stop.Token), CancellationToken.None))
            .ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);

        var totals = Counters.Snapshot();
        // Time to the last 200 when everything answered; otherwise the whole time spent waiting.
        var elapsed = totals.Answered == Catalog.SeriesCount
            ? time.GetElapsedTime(startTimestamp, Interlocked.Read(ref lastAnswerTimestamp))
            : time.GetElapsedTime(startTimestamp);
        return new RecoveryOutcome(Catalog.SeriesCount, totals, elapsed, cancellationToken.IsCancellationRequested);
    }

    private async Task RunWorkerAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var item = Interlocked.Increment(ref nextSeriesIndex);
            if (item >= WorkItems)
            {
                return;
            }

            var path = options.ByHost
                ? EnginePaths.Host(Catalog.HostName(item))
                : EnginePaths.SeriesState(Catalog.HostName(Catalog.HostOf(item)), Catalog.MetricName(Catalog.MetricOf(item)));
            await AskUntilAnsweredAsync(path, stop).ConfigureAwait(false);
        }
    }

    /// <summary>What the workers ask for one at a time: hosts or series.</summary>
    private int WorkItems => options.ByHost ? Catalog.HostCount : Catalog.SeriesCount;

    private async Task AskUntilAnsweredAsync(string path, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Counters.RequestSent();
            var sentAt = time.GetTimestamp();
            var retryDelay = options.RetryDelay;
            using var requestDeadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            requestDeadline.CancelAfter(options.RequestTimeout);
            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead,
                    requestDeadline.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var answeredAt = time.GetTimestamp();
                    var series = 1;
                    if (options.ByHost)
                    {
                        series = await SeriesWithAPointAsync(response, requestDeadline.Token).ConfigureAwait(false);
                        if (series < Catalog.MetricCount)
                        {
                            Counters.Failed($"{path}: {series} of {Catalog.MetricCount} series answered with a point");
                            return;
                        }
                    }

                    Counters.AnsweredOk(time.GetElapsedTime(sentAt, answeredAt), series);
                    RecordLastAnswer(answeredAt);
                    return;
                }

                if (!IsNotReadyYet(response.StatusCode))
                {
                    Counters.Failed($"{path}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                    return;
                }

                Counters.WillRetry($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                retryDelay = RetryAfterPolicy.WaitFor(response.Headers.RetryAfter, time.GetUtcNow(), options.RetryDelay);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                Counters.WillRetry($"no answer within {options.RequestTimeout.TotalSeconds:0.#} s");
            }
            catch (HttpRequestException exception)
            {
                Counters.WillRetry(exception.Message);
            }

            try
            {
                await Task.Delay(retryDelay, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>How many of the catalog's metrics a host's answer lists with a point.</summary>
    private async Task<int> SeriesWithAPointAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        var expected = Enumerable.Range(0, Catalog.MetricCount).Select(Catalog.MetricName).ToHashSet(StringComparer.Ordinal);
        var found = 0;
        if (!document.RootElement.TryGetProperty("series", out var series) || series.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        foreach (var entry in series.EnumerateArray())
        {
            if (entry.TryGetProperty("metric", out var metric) && entry.TryGetProperty("timestamp", out var timestamp)
                && timestamp.ValueKind == JsonValueKind.String && expected.Remove(metric.GetString()!))
            {
                found++;
            }
        }

        return found;
    }

    private static bool IsNotReadyYet(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    private void RecordLastAnswer(long answeredAt)
    {
        var current = Interlocked.Read(ref lastAnswerTimestamp);
        while (answeredAt > current)
        {
            var seen = Interlocked.CompareExchange(ref lastAnswerTimestamp, answeredAt, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
