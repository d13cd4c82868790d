using Perf.Analytics.Aggregation;

namespace Perf.Actors.Telemetry;

/// <summary>
/// Where the time of a write goes, stage by stage, in this process since it started (<c>GET /api/v1/system/profile</c>):
/// so "where does the time go" has an answer without a profiler attached. Each stage is a lock-free latency histogram;
/// recording costs a few atomic adds, per request or per journal write, never per point.
/// </summary>
public static class StageProfile
{
    /// <summary>Reading and decoding a request's body into a batch (per request).</summary>
    public static readonly LatencyHistogram Parse = new();

    /// <summary>From handing a batch to the ingestion pipeline until it starts on it (per request).</summary>
    public static readonly LatencyHistogram QueueWait = new();

    /// <summary>From a series' journal write to its confirmation (per write).</summary>
    public static readonly LatencyHistogram JournalWrite = new();

    /// <summary>All detectors of a series on the points of one write (per write).</summary>
    public static readonly LatencyHistogram Detectors = new();

    /// <summary>A series' alert rules on the points of one write (per write).</summary>
    public static readonly LatencyHistogram AlertEvaluation = new();

    /// <summary>From the last series' confirmation until the answer is written to the client (per request).</summary>
    public static readonly LatencyHistogram Reply = new();

    public static IReadOnlyList<(string Stage, LatencyHistogram Histogram)> Stages { get; } =
    [
        ("parse", Parse), ("queue_wait", QueueWait), ("journal_write", JournalWrite), ("detectors", Detectors),
        ("alert_evaluation", AlertEvaluation), ("reply", Reply),
    ];
}
