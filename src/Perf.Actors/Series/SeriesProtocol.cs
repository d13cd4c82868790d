using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;

namespace Perf.Actors.Series;

/// <summary>Every message a <see cref="SeriesActor"/> accepts carries its entity id so the shard region can route it.</summary>
public interface ISeriesMessage : IPerfMessage
{
    string EntityId { get; }
}

/// <summary>Commands to a series: writes that become events.</summary>
public static class SeriesCommands
{
    /// <summary>
    /// Points for one series, in any order. Replied to with <see cref="AppendResult"/> once the accepted points are in the journal.
    /// Timestamps are epoch milliseconds; a timestamp the series already holds is overwritten (last write wins), so a retried
    /// request never stores a point twice. <paramref name="Correlation"/> comes back in the result, so one collector can
    /// receive the replies of many appends (see <c>IngestionPipeline</c>).
    /// </summary>
    public sealed record AppendPoints(string EntityId, long[] Timestamps, double[] Values, long Correlation = 0) : ISeriesMessage;

    /// <summary>
    /// A finding about one of the series' points made elsewhere (the host model's unusual combination, put on the series
    /// that was furthest from usual): kept with the series' own findings and shown to its anomaly rules. Not answered.
    /// </summary>
    public sealed record RecordFinding(string EntityId, Anomaly Finding) : ISeriesMessage;

    /// <param name="Accepted">points now persisted.</param>
    /// <param name="RejectedTooOld">points older than the series' last point by more than the out-of-order tolerance.</param>
    /// <param name="Correlation">the append's correlation.</param>
    public sealed record AppendResult(int Accepted, int RejectedTooOld, long Correlation = 0) : IPerfMessage;

    /// <summary>The append's points could not be stored (the journal failed the write); the series restarts from what
    /// was stored. Retrying is safe: the same timestamps overwrite.</summary>
    public sealed record AppendFailed(string Reason, long Correlation = 0) : IPerfMessage;

    /// <summary>
    /// Does nothing but arrive: the series sends it to its shard, which delivers it back like any message for the entity
    /// and so restarts the entity's idle time (sharding passivates an entity that no message reached for
    /// <c>passivate_after</c>). Sent while a no-data rule watches a silent series.
    /// </summary>
    public sealed record KeepAlive(string EntityId) : ISeriesMessage;

    /// <summary>
    /// An alert rule this series has an open alert under was deleted or changed: the series applies the rules now (starting
    /// its alerts child even when no rule matches any more, so that it can end the alert), instead of at its next sample,
    /// which a series that went quiet may never get. <paramref name="BookVersion"/> is the rule book's version with the
    /// change: a node that has not received it yet (the book is published to every node) waits for it
    /// (<paramref name="Attempt"/> counts the waits).
    /// </summary>
    public sealed record ReapplyAlertRules(string EntityId, long BookVersion, int Attempt = 0) : ISeriesMessage;

    /// <summary>
    /// What the shard sends a series it passivates or hands off (its stop message): the series snapshots what it has
    /// journaled since its last snapshot, then stops. Sent only by the local shard, never over the wire.
    /// </summary>
    public sealed record StopSeries
    {
        public static readonly StopSeries Instance = new();
        private StopSeries() { }
    }
}

/// <summary>Queries to a series: answered from the actor's state and its sealed chunks, never changing state.</summary>
public static class SeriesQueries
{
    /// <summary>Points with <c>FromMs &lt;= t &lt;= ToMs</c>; aggregated per <paramref name="StepMs"/> bucket when it is positive.</summary>
    public sealed record ReadRange(string EntityId, long FromMs, long ToMs, long StepMs, AggregationKind Aggregation) : ISeriesMessage;

    public sealed record RangeResult(long[] Timestamps, double[] Values) : IPerfMessage
    {
        public static RangeResult From(IReadOnlyList<DataPoint> points)
        {
            var timestamps = new long[points.Count];
            var values = new double[points.Count];
            for (var i = 0; i < points.Count; i++)
            {
                timestamps[i] = points[i].TimestampMs;
                values[i] = points[i].Value;
            }
            return new RangeResult(timestamps, values);
        }
    }

    public sealed record GetState(string EntityId) : ISeriesMessage;

    /// <summary>What the actor holds, for analysts and operators.</summary>
    public sealed record StateView(
        string Host,
        string Metric,
        long PointCount,
        long FirstTimestampMs,
        long LastTimestampMs,
        double LastValue,
        int HeadPoints,
        int HeadBytes,
        int ChunkCount,
        long ChunkBytes,
        long LastSequenceNr,
        DetectorView[] Detectors) : IPerfMessage;

    /// <summary>The findings the series keeps with <c>FromMs &lt;= t &lt;= ToMs</c>; answered with <see cref="AnomalyList"/>.</summary>
    public sealed record GetAnomalies(string EntityId, long FromMs, long ToMs) : ISeriesMessage;

    /// <param name="Anomalies">oldest first.</param>
    /// <param name="DetectorSet">the metric family whose detectors the series runs.</param>
    /// <param name="Detectors">their names.</param>
    public sealed record AnomalyList(Anomaly[] Anomalies, string DetectorSet, string[] Detectors) : IPerfMessage;

    /// <summary>Answer to any query about a series that has never stored a point.</summary>
    public sealed record SeriesNotFound(string EntityId) : IPerfMessage;
}
