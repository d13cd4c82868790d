namespace Perf.Storage.Hosts;

/// <summary>
/// Retention dropped a series' chunks whose newest point is older than <paramref name="CutoffMs"/>; the chunks left are
/// these (absolute totals, so a crash between the delete and the record is repaired by the next pass).
/// </summary>
public readonly record struct ChunkRetention(long CutoffMs, int ChunkCount, long ByteCount, long PointCount, long OldestFirstMs);
