namespace Perf.Storage.Chunks;

/// <summary>
/// Where sealed chunks of series data live: written once, read by range, dropped whole by retention.
/// The index of a series' chunks is the store's own table, so a host only keeps totals of each series in memory.
/// </summary>
public interface IChunkStore
{
    /// <summary>Stores a chunk. Idempotent: writing the same series and sequence again replaces it (a crash between the
    /// chunk write and the <c>ChunkSealed</c> event makes the actor seal the same points again), unless the stored one has
    /// a higher <see cref="StoredChunk.Fence"/>: a write planned by an earlier owner of the series, still queued on a node
    /// that has lost it, must not overwrite what the new owner sealed since.</summary>
    Task WriteAsync(StoredChunk chunk, CancellationToken cancellationToken = default);

    /// <summary>Chunks of a series overlapping <c>[fromMs, toMs]</c>, oldest first.</summary>
    Task<IReadOnlyList<StoredChunk>> ReadAsync(string seriesId, long fromMs, long toMs, CancellationToken cancellationToken = default);

    /// <summary>Deletes the chunks of a series whose newest point is older than <paramref name="cutoffMs"/>, among those
    /// below <paramref name="sequenceBelow"/> (the chunks the series has recorded as sealed), and reports what is left
    /// below it.</summary>
    Task<ExpiredChunks> DeleteExpiredAsync(string seriesId, long cutoffMs, long sequenceBelow, CancellationToken cancellationToken = default);
}

/// <param name="Fence">the host log sequence number of the record that seals it: a later owner of the host writes higher ones.</param>
public sealed record StoredChunk(string SeriesId, long Sequence, long FirstMs, long LastMs, int PointCount, byte[] Data, long Fence = 0);

/// <summary>What a retention pass deleted and, as absolute totals, what it left (chunks below its sequence bound).</summary>
/// <param name="DeletedCount">chunks deleted by this pass.</param>
/// <param name="Remaining">the chunks left: what a series' totals must now be, whatever they were before.</param>
public sealed record ExpiredChunks(int DeletedCount, ChunkTotals Remaining);

/// <param name="OldestFirstMs">first timestamp of the oldest chunk, 0 when there is none.</param>
public sealed record ChunkTotals(int ChunkCount, long ByteCount, long PointCount, long OldestFirstMs);
