using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Perf.Cli.Load;

/// <summary>
/// The load generator behind <c>perf bench ingest</c>. <see cref="IngestOptions.Concurrency"/> workers each own a
/// disjoint slice of the series and keep one request in flight; a shared <see cref="PacedScheduler"/> holds
/// the total to the target rate. A worker retries a batch answered with 429 after the Retry-After wait before
/// it builds its next batch, so every series still reaches the engine in timestamp order.
/// </summary>
public sealed class IngestDriver
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly IngestOptions options;
    private readonly HttpClient http;
    private readonly TimeProvider time;
    private readonly PacedScheduler pacer;
    private long unclaimedPoints;

    public IngestDriver(IngestOptions options, HttpClient http, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchPoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        this.options = options;
        this.http = http;
        this.time = time ?? TimeProvider.System;
        Catalog = new SeriesCatalog(options.Hosts, options.Metrics);
        pacer = new PacedScheduler(options.PointsPerSecond, this.time);
        unclaimedPoints = options.MaxPoints > 0 ? options.MaxPoints : long.MaxValue;
    }

    public SeriesCatalog Catalog { get; }

    /// <summary>Requests actually in flight at most: one per worker, and a worker needs at least one series.</summary>
    public int WorkerCount => Math.Min(options.Concurrency, Catalog.SeriesCount);

    public IngestCounters Counters { get; } = new();

    /// <summary>
    /// Sends load until the duration is over (or <see cref="IngestOptions.MaxPoints"/> are handed out), then
    /// waits for the requests in flight. Cancelling <paramref name="cancellationToken"/> stops at once and
    /// still returns the tallies so far.
    /// </summary>
    public async Task<IngestOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var startTimestamp = time.GetTimestamp();
        using var durationElapsed = options.Duration > TimeSpan.Zero
            ? new CancellationTokenSource(options.Duration, time)
            : new CancellationTokenSource();
        using var stopIssuing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, durationElapsed.Token);

        var workers = Catalog.Partition(options.Concurrency)
            .Select(slice => Task.Run(() => RunWorkerAsync(slice, stopIssuing.Token, cancellationToken), CancellationToken.None))
            .ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);

        return new IngestOutcome(Counters.Snapshot(), time.GetElapsedTime(startTimestamp),
            cancellationToken.IsCancellationRequested);
    }

    private async Task RunWorkerAsync(SeriesSlice slice, CancellationToken stopIssuing, CancellationToken abort)
    {
        var cycle = new SeriesCycle(slice, new RoundTimestamps(time));
        var payloadBuilder = new IngestPayloadBuilder(Catalog);
        var batch = new List<SeriesPoint>(options.BatchPoints);
        while (!stopIssuing.IsCancellationRequested)
        {
            var points = ClaimPoints(options.BatchPoints);
            if (points == 0)
            {
                return;
            }

            try
            {
                await pacer.WaitAsync(points, stopIssuing).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Points are generated after the pacing wait so their timestamps reflect when they are sent.
            batch.Clear();
            cycle.Fill(batch, points);
            var body = payloadBuilder.Build(batch);
            Counters.PointsSent(points);
            await SendUntilAnsweredAsync(body, points, stopIssuing, abort).ConfigureAwait(false);
        }
    }

    private int ClaimPoints(int wanted)
    {
        while (true)
        {
            var unclaimed = Interlocked.Read(ref unclaimedPoints);
            if (unclaimed <= 0)
            {
                return 0;
            }

            var claimed = (int)Math.Min(wanted, unclaimed);
            if (Interlocked.CompareExchange(ref unclaimedPoints, unclaimed - claimed, unclaimed) == unclaimed)
            {
                return claimed;
            }
        }
    }

    private async Task SendUntilAnsweredAsync(byte[] body, int points, CancellationToken stopIssuing,
        CancellationToken abort)
    {
        while (true)
        {
            Counters.RequestSent();
            var sentAt = time.GetTimestamp();
            using var requestDeadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
            requestDeadline.CancelAfter(options.RequestTimeout);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = JsonContentType;
                using var response = await http.PostAsync(EnginePaths.IngestMetrics, content, requestDeadline.Token)
                    .ConfigureAwait(false);

                if (response.IsSuccessStatusCode)
                {
                    var (accepted, rejected) = await ReadAcknowledgementAsync(response, points, requestDeadline.Token)
                        .ConfigureAwait(false);
                    Counters.Acknowledged(accepted, rejected, time.GetElapsedTime(sentAt));
                    return;
                }

                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Counters.RetryAfter429();
                    var wait = RetryAfterPolicy.WaitFor(response.Headers.RetryAfter, time.GetUtcNow(),
                        options.DefaultRetryAfter);
                    if (!await DelayUnlessCancelledAsync(wait, stopIssuing).ConfigureAwait(false))
                    {
                        // The run is over; retrying past its end would stretch the measurement indefinitely.
                        Counters.Abandoned(points);
                        return;
                    }

                    continue;
                }

                Counters.Failed(points, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                Counters.Abandoned(points);
                return;
            }
            catch (OperationCanceledException)
            {
                Counters.Failed(points, $"no answer within {options.RequestTimeout.TotalSeconds:0.#} s");
            }
            catch (HttpRequestException exception)
            {
                Counters.Failed(points, exception.Message);
            }

            await DelayUnlessCancelledAsync(options.ErrorBackoff, stopIssuing).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>Reads <c>{"accepted":N,"rejected":R}</c>; a body without them counts the whole batch as accepted.</summary>
    private static async Task<(long Accepted, long Rejected)> ReadAcknowledgementAsync(HttpResponseMessage response,
        int points, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (points, 0);
            }

            var accepted = ReadCount(root, "accepted") ?? points;
            var rejected = ReadCount(root, "rejected") ?? 0;
            return (accepted, rejected);
        }
        catch (JsonException)
        {
            return (points, 0);
        }
    }

    private static long? ReadCount(JsonElement root, string property) =>
        root.TryGetProperty(property, out var element) && element.ValueKind == JsonValueKind.Number &&
        element.TryGetInt64(out var count)
            ? count
            : null;

    /// <summary>Waits, and says false instead of throwing when the run was stopped meanwhile.</summary>
    private async Task<bool> DelayUnlessCancelledAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
