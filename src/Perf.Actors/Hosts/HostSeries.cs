using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Analytics.Compression;
using Perf.Storage.Hosts;

namespace Perf.Actors.Hosts;

/// <summary>
/// One series of a host, without Akka or I/O: its head (the points not sealed yet, Gorilla-compressed and appended in
/// place), what it knows of its sealed chunks, its newest point, and its detectors. A host holds thousands of these, so
/// the class is plain fields; its only buffers are the head's bytes and the detectors' windows.
/// </summary>
/// <remarks>
/// Deciding and applying a point are one step (<see cref="Accept"/>): the point is either rejected, leaving everything as
/// it was, or applied and then written to the host's record, whose replay applies it the same way.
/// </remarks>
public sealed class HostSeries
{
    private readonly SealPolicy _policy;
    private readonly SeriesDetection _detection;
    // No seal is possible while the head's settled boundary (newest - tolerance) is at or before this: until then a seal
    // check is one comparison, not a decode of the head. long.MinValue: unknown, decode at the next check.
    private long _sealDueMs = long.MinValue;
    // A point at or after this makes the head span a whole chunk (the head's first point plus the chunk's span).
    private long _spanThresholdMs = long.MaxValue;

    public HostSeries(string host, string metric, SeriesDetection detection, SealPolicy policy)
    {
        Metric = metric;
        EntityId = new SeriesKey(host, metric).EntityId;
        _detection = detection;
        _policy = policy;
        FeedsHostChildren = Optimization.OptimizerState.Watches(metric) || HostVectors.Watched.Contains(metric);
    }

    /// <summary>Whether the host's optimizer or its host model watch this series (they get its newest sample per write).</summary>
    public bool FeedsHostChildren { get; }

    /// <summary>Whether the series has an alerts child (its host feeds it the series' committed points).</summary>
    public bool HasAlertsChild { get; set; }

    public string Metric { get; }

    /// <summary><c>{host}/{metric}</c>: the series' id in the chunk table and in the API.</summary>
    public string EntityId { get; }

    public GorillaChunkEncoder Head { get; private set; } = new();

    public SeriesDetection Detection => _detection;

    /// <summary>Timestamp of the newest point (0 before the first).</summary>
    public long LatestMs { get; private set; }

    /// <summary>Value of the newest point (NaN before the first).</summary>
    public double LatestValue { get; private set; } = double.NaN;

    public long NextChunkSequence { get; private set; }
    public int ChunkCount { get; private set; }
    public long ChunkBytes { get; private set; }
    public long ChunkPoints { get; private set; }

    /// <summary>First timestamp of the oldest chunk still stored; 0 when there is none.</summary>
    public long OldestChunkFirstMs { get; private set; }

    /// <summary>Last timestamp of the newest sealed chunk; head points are always newer.</summary>
    public long LastSealedMs { get; private set; }

    /// <summary>Whether a retention pass of this series is on its way (seals wait: retention's totals must describe the
    /// chunks the series knows).</summary>
    public bool RetentionInFlight { get; set; }

    public bool IsEmpty => Head.Count == 0 && ChunkCount == 0;
    public long PointCount => Head.Count + ChunkPoints;
    public long FirstTimestampMs => ChunkCount > 0 ? OldestChunkFirstMs : Head.FirstTimestampMs;

    /// <summary>
    /// Takes a point unless it is older than the newest point by more than the out-of-order tolerance or falls in a
    /// sealed chunk. A point newer than the head's last is appended in place; an older one (within the tolerance) or one
    /// with a timestamp the head holds (last write wins) is merged into the head, which is then re-encoded: rare, and the
    /// head is small.
    /// </summary>
    /// <returns>false when the point was rejected (nothing changed).</returns>
    public bool Accept(long timestampMs, double value)
    {
        if (!IsEmpty && timestampMs < LatestMs - _policy.ToleranceMs) return false;
        if (ChunkCount > 0 && timestampMs <= LastSealedMs) return false;
        Apply(timestampMs, value);
        return true;
    }

    /// <summary>A point that was accepted (live, or read back from the host's record): into the head, in order.</summary>
    public void Apply(long timestampMs, double value)
    {
        if (Head.Count == 0 || timestampMs > Head.LastTimestampMs)
        {
            Head.Append(timestampMs, value);
            if (Head.Count == 1)
            {
                // Nothing settles before the boundary passes the first point.
                _sealDueMs = timestampMs;
                _spanThresholdMs = timestampMs + _policy.MaxSpanMs;
            }
            else if (Head.Count == _policy.MaxPoints || timestampMs >= _spanThresholdMs)
            {
                // This point is the one whose settling makes a chunk (the chunk's last point, or the one that spans it).
                _sealDueMs = Math.Min(_sealDueMs, timestampMs);
            }
        }
        else
        {
            Merge(timestampMs, value);
        }
        if (timestampMs >= LatestMs)
        {
            LatestMs = timestampMs;
            LatestValue = value;
        }
    }

    /// <summary>Feeds the point to the detectors (points at or before the newest one fed are not: detectors only move forward).</summary>
    public void Observe(long timestampMs, double value, ref List<Anomaly>? found) => _detection.Observe(timestampMs, value, ref found);

    /// <summary>
    /// How many of the head's oldest points to seal now, and the last one's timestamp; none when the head does not hold
    /// enough settled points: points older than the newest by more than the tolerance can no longer change. A chunk takes
    /// the policy's most points, or fewer once they span its span. Until the head may qualify the check is one
    /// comparison; the head is read (in place) only then, about once per chunk.
    /// </summary>
    public (int Count, long LastMs) PlanSeal()
    {
        if (RetentionInFlight || Head.Count < 2) return default;
        var settledBefore = Head.LastTimestampMs - _policy.ToleranceMs;
        if (_sealDueMs != long.MinValue && settledBefore <= _sealDueMs) return default;
        if (Head.FirstTimestampMs >= settledBefore)
        {
            _sealDueMs = Head.FirstTimestampMs;
            return default;
        }
        var maxPoints = _policy.MaxPoints;
        _spanThresholdMs = Head.FirstTimestampMs + _policy.MaxSpanMs;
        var points = Head.Points;
        int settled = 0, index = 0;
        long lastSettledMs = 0, due = long.MaxValue, spanDue = long.MaxValue;
        while (points.MoveNext())
        {
            var t = points.TimestampMs;
            if (t < settledBefore && settled < maxPoints)
            {
                settled++;
                lastSettledMs = t;
                // Enough settled points, or enough time between the first and the last of them: a chunk.
                if (settled == maxPoints || t >= _spanThresholdMs)
                {
                    _sealDueMs = long.MinValue;
                    return (settled, t);
                }
            }
            // Not yet. Nothing changes until the boundary passes the point whose settling makes a chunk: the chunk's
            // last point, or the first that spans it (whichever comes first); one not in the head yet sets it when it
            // arrives (see Apply).
            if (index == maxPoints - 1) due = t;
            if (spanDue == long.MaxValue && t >= _spanThresholdMs) spanDue = t;
            index++;
        }
        _sealDueMs = Math.Min(due, spanDue);
        return default;
    }

    /// <summary>The head's points up to <see cref="ChunkSeal.LastMs"/> were sealed as a chunk.</summary>
    public void ApplySeal(ChunkSeal seal)
    {
        Head = Head.After(seal.LastMs);
        if (ChunkCount == 0) OldestChunkFirstMs = seal.FirstMs;
        ChunkCount++;
        ChunkBytes += seal.ByteCount;
        ChunkPoints += seal.PointCount;
        LastSealedMs = Math.Max(LastSealedMs, seal.LastMs);
        NextChunkSequence = Math.Max(NextChunkSequence, seal.Sequence + 1);
        _sealDueMs = long.MinValue;
    }

    /// <summary>Retention dropped whole chunks; the totals are those of the chunks left. Findings older go with them.</summary>
    public void ApplyRetention(ChunkRetention retention)
    {
        ChunkCount = retention.ChunkCount;
        ChunkBytes = retention.ByteCount;
        ChunkPoints = retention.PointCount;
        OldestChunkFirstMs = retention.ChunkCount == 0 ? 0 : retention.OldestFirstMs;
        _detection.Expire(retention.CutoffMs);
    }

    /// <summary>Whether the chunk totals are exactly <paramref name="totals"/>.</summary>
    public bool HasChunkTotals(Storage.Chunks.ChunkTotals totals) =>
        ChunkCount == totals.ChunkCount && ChunkBytes == totals.ByteCount && ChunkPoints == totals.PointCount
        && OldestChunkFirstMs == (totals.ChunkCount == 0 ? 0 : totals.OldestFirstMs);

    /// <summary>Head points within the range, in order.</summary>
    public List<DataPoint> HeadPoints(long fromMs, long toMs)
    {
        var result = new List<DataPoint>();
        if (Head.Count == 0 || Head.LastTimestampMs < fromMs || Head.FirstTimestampMs > toMs) return result;
        var points = Head.Points;
        while (points.MoveNext() && points.TimestampMs <= toMs)
            if (points.TimestampMs >= fromMs) result.Add(points.Current);
        return result;
    }

    public SeriesSnapshot ToSnapshot() => new(Metric, Head.Count == 0 ? [] : Head.ToArray(), LatestMs, LatestValue,
        new SeriesChunks(NextChunkSequence, ChunkCount, ChunkBytes, ChunkPoints, OldestChunkFirstMs, LastSealedMs), _detection.ToSnapshot());

    public static HostSeries FromSnapshot(string host, SeriesSnapshot snapshot, DetectorSet detectors, int maxAnomalies, SealPolicy policy)
    {
        var chunks = snapshot.Chunks;
        return new HostSeries(host, snapshot.Metric, SeriesDetection.FromSnapshot(detectors, maxAnomalies, snapshot.Detection), policy)
        {
            Head = snapshot.Head.Length == 0 ? new GorillaChunkEncoder() : GorillaChunkEncoder.FromChunk(snapshot.Head),
            LatestMs = snapshot.LatestMs,
            LatestValue = snapshot.LatestValue,
            NextChunkSequence = chunks.NextSequence,
            ChunkCount = chunks.Count,
            ChunkBytes = chunks.Bytes,
            ChunkPoints = chunks.Points,
            OldestChunkFirstMs = chunks.OldestFirstMs,
            LastSealedMs = chunks.LastSealedMs,
            _sealDueMs = long.MinValue,
        };
    }

    private void Merge(long timestampMs, double value)
    {
        var merged = new SortedList<long, double>(Head.Count + 1);
        var points = Head.Points;
        while (points.MoveNext()) merged[points.TimestampMs] = points.Value;
        merged[timestampMs] = value;
        var head = new GorillaChunkEncoder();
        foreach (var (t, v) in merged) head.Append(t, v);
        Head = head;
        _sealDueMs = long.MinValue;
    }
}
