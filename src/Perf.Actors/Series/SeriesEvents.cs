namespace Perf.Actors.Series;

/// <summary>What a series persists. Events never hold actor references.</summary>
public interface ISeriesEvent : IPerfMessage;

public static class SeriesEvents
{
    /// <summary>
    /// One journal write of a series: every point accepted from the commands that arrived while the previous write was in
    /// flight (group commit). Timestamps ascend strictly.
    /// </summary>
    public sealed record PointsRecorded(long[] Timestamps, double[] Values) : ISeriesEvent;

    /// <summary>
    /// The oldest points of the head, up to and including <paramref name="LastMs"/>, were written to the chunk store as chunk
    /// <paramref name="Sequence"/>. Recorded only after the chunk write succeeded.
    /// </summary>
    public sealed record ChunkSealed(long Sequence, long FirstMs, long LastMs, int PointCount, int ByteCount) : ISeriesEvent;

    /// <summary>
    /// Retention dropped whole chunks whose newest point is older than <paramref name="CutoffMs"/> (the counts are what it
    /// dropped). Written by earlier versions; replayed, never written now (see <see cref="ChunksRetained"/>).
    /// </summary>
    public sealed record ChunksExpired(long CutoffMs, int ChunkCount, long ByteCount, long PointCount, long OldestRemainingFirstMs) : ISeriesEvent;

    /// <summary>
    /// What the detectors found in the points of the <see cref="PointsRecorded"/> written with it (same atomic write, so
    /// a finding is never lost or recorded without its points).
    /// </summary>
    public sealed record AnomaliesDetected(Anomaly[] Anomalies) : ISeriesEvent;

    /// <summary>
    /// Retention dropped whole chunks whose newest point is older than <paramref name="CutoffMs"/>; the sealed chunks left
    /// are these (absolute totals, read from the chunk store in the transaction that deleted). Absolute, so a crash
    /// between the delete and this event is repaired by the next pass instead of leaving the totals wrong for good.
    /// </summary>
    public sealed record ChunksRetained(long CutoffMs, int ChunkCount, long ByteCount, long PointCount, long OldestFirstMs) : ISeriesEvent;
}
