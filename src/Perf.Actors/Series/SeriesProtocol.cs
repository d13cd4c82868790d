using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;

namespace Perf.Actors.Series;

/// <summary>
/// A message about one series, <c>{host}/{metric}</c>: the shard region routes it to the series' host (a
/// <see cref="Hosts.HostActor"/>), which answers for the series.
/// </summary>
public interface ISeriesMessage : IPerfMessage
{
    string EntityId { get; }
}

/// <summary>Commands about a series (its points come in through its host: <see cref="Hosts.HostCommands.AppendSamples"/>).</summary>
public static class SeriesCommands
{
    /// <summary>
    /// A finding about one of the series' points made elsewhere (the host model's unusual combination, put on the series
    /// that was furthest from usual): kept with the series' own findings and shown to its anomaly rules. Not answered.
    /// </summary>
    public sealed record RecordFinding(string EntityId, Anomaly Finding) : ISeriesMessage;

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
}

/// <summary>Queries about a series: answered by its host from the series' head and its sealed chunks, never changing state.</summary>
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
