using Perf.Analytics.Aggregation;
using Perf.Cli.Metrics;

namespace Perf.Cli.Load;

/// <summary>Live, thread-safe tallies of a recovery run.</summary>
public sealed class RecoveryCounters
{
    private long answered;
    private long requests;
    private long retries;
    private long errors;
    private string? lastError;

    /// <summary>Latency of each request answered 200 (one series' state, or one host's series).</summary>
    public LatencyHistogram AnswerLatency { get; } = new();

    public long Answered => Interlocked.Read(ref answered);

    public void RequestSent() => Interlocked.Increment(ref requests);

    /// <param name="series">how many series the answer covers (a host's answer covers all of its series).</param>
    public void AnsweredOk(TimeSpan latency, int series = 1)
    {
        AnswerLatency.Record(latency);
        Interlocked.Add(ref answered, series);
    }

    public void WillRetry(string reason)
    {
        Interlocked.Increment(ref retries);
        lastError = reason;
    }

    public void Failed(string reason)
    {
        Interlocked.Increment(ref errors);
        lastError = reason;
    }

    public RecoverySnapshot Snapshot() => new(
        Answered: Interlocked.Read(ref answered),
        Requests: Interlocked.Read(ref requests),
        Retries: Interlocked.Read(ref retries),
        Errors: Interlocked.Read(ref errors),
        P50Milliseconds: AnswerLatency.PercentileMilliseconds(50),
        P99Milliseconds: AnswerLatency.PercentileMilliseconds(99),
        MaxMilliseconds: AnswerLatency.MaxMilliseconds,
        LastError: Volatile.Read(ref lastError));
}
