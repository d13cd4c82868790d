using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Actors.Series;

/// <summary>
/// Everything a series knows, without Akka or I/O: the head (recent points, Gorilla-compressed) and running totals of the
/// sealed chunks that live in the chunk store. Decisions (<see cref="Decide"/>, <see cref="PlanSeal"/>) never change the
/// state; only <see cref="Apply"/> does, so replaying the journal rebuilds exactly what the live actor had.
/// Mutable on purpose: a process holds 100,000 of these and copying the head on every write would cost more than it buys.
/// </summary>
public sealed class SeriesState
{
    public GorillaChunkEncoder Head { get; private set; } = new();
    public long NextChunkSequence { get; private set; }
    public int ChunkCount { get; private set; }
    public long ChunkBytes { get; private set; }
    public long ChunkPoints { get; private set; }
    /// <summary>First timestamp of the oldest chunk still stored; 0 when there is none.</summary>
    public long OldestChunkFirstMs { get; private set; }
    /// <summary>Last timestamp of the newest sealed chunk; head points are always newer.</summary>
    public long LastSealedMs { get; private set; }

    public bool IsEmpty => Head.Count == 0 && ChunkCount == 0;
    public long PointCount => Head.Count + ChunkPoints;
    public long LastTimestampMs => Head.Count > 0 ? Head.LastTimestampMs : LastSealedMs;
    public long FirstTimestampMs => ChunkCount > 0 ? OldestChunkFirstMs : Head.FirstTimestampMs;

    /// <summary>
    /// Which points of a group of appends to accept. A point older than the newest point by more than
    /// <paramref name="outOfOrderToleranceMs"/> is rejected; anything newer is accepted and later placed in order.
    /// Returns the event to persist (null when nothing was accepted) and, per append, how many were rejected.
    /// </summary>
    public (PointsRecorded? Event, int[] Rejected) Decide(IReadOnlyList<SeriesCommands.AppendPoints> appends, long outOfOrderToleranceMs) =>
        Decide(appends, static a => a, outOfOrderToleranceMs);

    /// <inheritdoc cref="Decide(IReadOnlyList{SeriesCommands.AppendPoints}, long)"/>
    public (PointsRecorded? Event, int[] Rejected) Decide<T>(IReadOnlyList<T> items, Func<T, SeriesCommands.AppendPoints> appendOf, long outOfOrderToleranceMs)
    {
        var rejected = new int[items.Count];
        var newest = IsEmpty ? long.MinValue : LastTimestampMs;
        // Sealed chunks are written once: nothing may land at or before their end, even if the tolerance grew since.
        var sealedUpTo = ChunkCount > 0 ? LastSealedMs : long.MinValue;
        // The common case, one append of points newer than anything stored and in order, needs no sorting or copying.
        if (items.Count == 1 && appendOf(items[0]) is var only && only.Values.Length == only.Timestamps.Length
            && IsStrictlyAscendingAfter(only.Timestamps, newest))
        {
            var single = appendOf(items[0]);
            return (new PointsRecorded(single.Timestamps, single.Values), rejected);
        }
        var accepted = new SortedList<long, double>();
        for (var a = 0; a < items.Count; a++)
        {
            var append = appendOf(items[a]);
            if (append.Values.Length != append.Timestamps.Length)
            {
                rejected[a] = append.Timestamps.Length; // malformed: a timestamp without its value, or the reverse
                continue;
            }
            // Sorting first lets "newest" only move forward, so a batch that arrives reversed is judged like one in order.
            var order = SortedIndexes(append.Timestamps);
            foreach (var i in order)
            {
                var t = append.Timestamps[i];
                if ((newest != long.MinValue && t < newest - outOfOrderToleranceMs) || t <= sealedUpTo)
                {
                    rejected[a]++;
                    continue;
                }
                accepted[t] = append.Values[i]; // a later append of the same timestamp wins
                if (t > newest) newest = t;
            }
        }
        if (accepted.Count == 0) return (null, rejected);
        return (new PointsRecorded(accepted.Keys.ToArray(), accepted.Values.ToArray()), rejected);
    }

    private static bool IsStrictlyAscendingAfter(long[] timestamps, long newest)
    {
        if (timestamps.Length == 0 || timestamps[0] <= newest) return false;
        for (var i = 1; i < timestamps.Length; i++)
            if (timestamps[i] <= timestamps[i - 1]) return false;
        return true;
    }

    /// <summary>
    /// The chunk to seal next, if the head has enough settled points: points older than the out-of-order tolerance can no
    /// longer change, so they may leave the head. Seals at most <paramref name="maxPoints"/> points.
    /// </summary>
    public DataPoint[]? PlanSeal(long outOfOrderToleranceMs, int maxPoints, long maxSpanMs)
    {
        if (Head.Count < 2) return null;
        var settledBefore = Head.LastTimestampMs - outOfOrderToleranceMs;
        // Cheap checks first: this runs after every write, and decoding the head each time would cost more than the write.
        if (Head.FirstTimestampMs >= settledBefore) return null;
        if (Head.Count < maxPoints && settledBefore - Head.FirstTimestampMs < maxSpanMs) return null;
        var head = GorillaChunk.Decode(Head.ToArray());
        var settled = 0;
        while (settled < head.Length && head[settled].TimestampMs < settledBefore && settled < maxPoints) settled++;
        if (settled == 0) return null;
        var spanReached = head[settled - 1].TimestampMs - head[0].TimestampMs >= maxSpanMs;
        if (settled < maxPoints && !spanReached) return null;
        return head[..settled];
    }

    public void Apply(ISeriesEvent @event)
    {
        switch (@event)
        {
            case PointsRecorded recorded: ApplyPoints(recorded); break;
            case ChunkSealed sealedChunk: ApplySeal(sealedChunk); break;
            case ChunksExpired expired: ApplyExpiry(expired); break;
            case ChunksRetained retained: ApplyRetained(retained); break;
            default: throw new ArgumentException($"Unknown series event {@event.GetType().Name}", nameof(@event));
        }
    }

    private void ApplyPoints(PointsRecorded recorded)
    {
        var ts = recorded.Timestamps;
        if (ts.Length == 0) return;
        if (Head.Count == 0 || ts[0] > Head.LastTimestampMs)
        {
            for (var i = 0; i < ts.Length; i++) Head.Append(ts[i], recorded.Values[i]);
            return;
        }
        // Late points (within tolerance) or overwrites: merge into the head and re-encode it. Rare, and the head is small.
        var merged = new SortedList<long, double>(Head.Count + ts.Length);
        foreach (var p in GorillaChunk.Decode(Head.ToArray())) merged[p.TimestampMs] = p.Value;
        for (var i = 0; i < ts.Length; i++) merged[ts[i]] = recorded.Values[i];
        var head = new GorillaChunkEncoder();
        foreach (var (t, v) in merged) head.Append(t, v);
        Head = head;
    }

    private void ApplySeal(ChunkSealed chunk)
    {
        var remaining = new GorillaChunkEncoder();
        foreach (var p in GorillaChunk.Decode(Head.ToArray()))
            if (p.TimestampMs > chunk.LastMs) remaining.Append(p.TimestampMs, p.Value);
        Head = remaining;
        if (ChunkCount == 0) OldestChunkFirstMs = chunk.FirstMs;
        ChunkCount++;
        ChunkBytes += chunk.ByteCount;
        ChunkPoints += chunk.PointCount;
        LastSealedMs = Math.Max(LastSealedMs, chunk.LastMs);
        NextChunkSequence = Math.Max(NextChunkSequence, chunk.Sequence + 1);
    }

    private void ApplyExpiry(ChunksExpired expired)
    {
        ChunkCount = Math.Max(0, ChunkCount - expired.ChunkCount);
        ChunkBytes = Math.Max(0, ChunkBytes - expired.ByteCount);
        ChunkPoints = Math.Max(0, ChunkPoints - expired.PointCount);
        OldestChunkFirstMs = ChunkCount == 0 ? 0 : expired.OldestRemainingFirstMs;
    }

    private void ApplyRetained(ChunksRetained retained)
    {
        ChunkCount = retained.ChunkCount;
        ChunkBytes = retained.ByteCount;
        ChunkPoints = retained.PointCount;
        OldestChunkFirstMs = retained.ChunkCount == 0 ? 0 : retained.OldestFirstMs;
    }

    /// <summary>Whether the chunk totals are exactly <paramref name="totals"/>.</summary>
    public bool HasChunkTotals(Storage.ChunkTotals totals) =>
        ChunkCount == totals.ChunkCount && ChunkBytes == totals.ByteCount && ChunkPoints == totals.PointCount
        && OldestChunkFirstMs == (totals.ChunkCount == 0 ? 0 : totals.OldestFirstMs);

    /// <summary>Head points within the range, in order.</summary>
    public List<DataPoint> HeadPoints(long fromMs, long toMs)
    {
        var result = new List<DataPoint>();
        if (Head.Count > 0 && Head.LastTimestampMs >= fromMs && Head.FirstTimestampMs <= toMs)
            GorillaChunk.DecodeInto(Head.ToArray(), result, fromMs, toMs);
        return result;
    }

    public SeriesSnapshot ToSnapshot() => new(
        Head.ToArray(), NextChunkSequence, ChunkCount, ChunkBytes, ChunkPoints, OldestChunkFirstMs, LastSealedMs);

    public static SeriesState FromSnapshot(SeriesSnapshot snapshot) => new()
    {
        Head = snapshot.Head.Length == 0 ? new GorillaChunkEncoder() : GorillaChunkEncoder.FromChunk(snapshot.Head),
        NextChunkSequence = snapshot.NextChunkSequence,
        ChunkCount = snapshot.ChunkCount,
        ChunkBytes = snapshot.ChunkBytes,
        ChunkPoints = snapshot.ChunkPoints,
        OldestChunkFirstMs = snapshot.OldestChunkFirstMs,
        LastSealedMs = snapshot.LastSealedMs,
    };

    private static int[] SortedIndexes(long[] timestamps)
    {
        var order = new int[timestamps.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var alreadySorted = true;
        for (var i = 1; i < timestamps.Length && alreadySorted; i++) alreadySorted = timestamps[i] >= timestamps[i - 1];
        if (!alreadySorted) Array.Sort(order, (x, y) => timestamps[x] != timestamps[y] ? timestamps[x].CompareTo(timestamps[y]) : x.CompareTo(y));
        return order;
    }
}

/// <summary>The persisted form of <see cref="SeriesState"/>: the head as a Gorilla chunk plus the chunk totals.</summary>
public sealed record SeriesSnapshot(
    byte[] Head,
    long NextChunkSequence,
    int ChunkCount,
    long ChunkBytes,
    long ChunkPoints,
    long OldestChunkFirstMs,
    long LastSealedMs) : IPerfMessage;
