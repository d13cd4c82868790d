using Perf.Analytics.Aggregation;
using Perf.Cli.Metrics;

namespace Perf.Cli.Load;

/// <summary>Live, thread-safe tallies of an ingest run; read them with <see cref="Snapshot"/>.</summary>
public sealed class IngestCounters
{
    private long sentPoints;
    private long acceptedPoints;
    private long rejectedPoints;
    private long failedPoints;
    private long requests;
    private long retries429;
    private long errors;
    private string? lastError;

    /// <summary>Time from sending a request to its 2xx acknowledgement (persisted), per request.</summary>
    public LatencyHistogram AckLatency { get; } = new();

    public void PointsSent(int points) => Interlocked.Add(ref sentPoints, points);

    public void RequestSent() => Interlocked.Increment(ref requests);

    public void Acknowledged(long accepted, long rejected, TimeSpan latency)
    {
        Interlocked.Add(ref acceptedPoints, accepted);
        Interlocked.Add(ref rejectedPoints, rejected);
        AckLatency.Record(latency);
    }

    public void RetryAfter429() => Interlocked.Increment(ref retries429);

    public void Failed(int points, string reason)
    {
        Interlocked.Increment(ref errors);
        Interlocked.Add(ref failedPoints, points);
        lastError = reason;
    }

    /// <summary>Points of a batch that was never acknowledged because the run stopped while it waited to retry.</summary>
    public void Abandoned(int points) => Interlocked.Add(ref failedPoints, points);

    public IngestSnapshot Snapshot() => new(
        SentPoints: Interlocked.Read(ref sentPoints),
        AcceptedPoints: Interlocked.Read(ref acceptedPoints),
        RejectedPoints: Interlocked.Read(ref rejectedPoints),
        FailedPoints: Interlocked.Read(ref failedPoints),
        Requests: Interlocked.Read(ref requests),
        Retries429: Interlocked.Read(ref retries429),
        Errors: Interlocked.Read(ref errors),
        P50Milliseconds: AckLatency.PercentileMilliseconds(50),
        P99Milliseconds: AckLatency.PercentileMilliseconds(99),
        MaxMilliseconds: AckLatency.MaxMilliseconds,
        LastError: Volatile.Read(ref lastError));
}
