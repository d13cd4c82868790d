using Perf.Storage.Chunks;

namespace Perf.Storage.Tests.Chunks;

/// <summary>The chunk table on a real SQLite file (the same SQL runs on PostgreSQL).</summary>
public sealed class SqlChunkStoreTests : IDisposable
{
    private const string Series = "web-1/cpu.usage";
    private readonly TestDirectory _directory = new();

    private static StoredChunk Chunk(byte content, long fence) => new(Series, 0, 1_000, 2_000, 10, [content], fence);

    [Fact]
    public async Task A_chunk_is_replaced_by_a_write_fenced_as_high_or_higher_but_not_by_one_an_earlier_owner_planned()
    {
        using var store = new SqlChunkStore(_directory.CreateDatabase());
        await store.WriteAsync(Chunk(1, fence: 10));

        await store.WriteAsync(Chunk(2, fence: 5)); // planned before the host moved, written after the new owner's seal
        Assert.Equal(1, Assert.Single(await store.ReadAsync(Series, 0, 5_000)).Data[0]);

        await store.WriteAsync(Chunk(3, fence: 10)); // the same owner sealing again after a crash
        Assert.Equal(3, Assert.Single(await store.ReadAsync(Series, 0, 5_000)).Data[0]);
    }

    [Fact]
    public async Task A_chunk_table_of_an_earlier_version_gets_the_fence_and_keeps_its_chunks()
    {
        var path = _directory.CreateFile("old.db", """
            CREATE TABLE series_chunks (series_id TEXT NOT NULL, sequence INTEGER NOT NULL, first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL,
              point_count INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series_id, sequence)) WITHOUT ROWID;
            INSERT INTO series_chunks VALUES ('web-1/cpu.usage', 0, 1000, 2000, 10, X'07');
            """);
        var database = StorageDatabase.SqliteFile(path);
        Assert.Null(database.CreateSchema());

        using var store = new SqlChunkStore(database);

        Assert.Equal(7, Assert.Single(await store.ReadAsync(Series, 0, 5_000)).Data[0]);
        await store.WriteAsync(Chunk(8, fence: 1));
        Assert.Equal(8, Assert.Single(await store.ReadAsync(Series, 0, 5_000)).Data[0]);
    }

    [Theory]
    [InlineData(0, 999, new long[0])] // before the first chunk
    [InlineData(0, 1_000, new long[] { 0 })] // touching its first point
    [InlineData(2_000, 2_000, new long[] { 0 })] // touching its last point
    [InlineData(2_001, 2_999, new long[0])] // between two chunks
    [InlineData(1_500, 3_000, new long[] { 0, 1 })]
    [InlineData(long.MinValue, long.MaxValue, new long[] { 0, 1, 2 })]
    public async Task A_read_returns_the_chunks_overlapping_the_range_oldest_first(long fromMs, long toMs, long[] sequences)
    {
        using var store = new SqlChunkStore(_directory.CreateDatabase());
        // Written newest first: the order of the answer is the sequence's, not the writes'.
        await store.WriteAsync(new StoredChunk(Series, 2, 5_000, 6_000, 3, [2]));
        await store.WriteAsync(new StoredChunk(Series, 1, 3_000, 4_000, 3, [1]));
        await store.WriteAsync(new StoredChunk(Series, 0, 1_000, 2_000, 3, [0]));
        await store.WriteAsync(new StoredChunk("web-1/memory.used", 0, 1_000, 6_000, 3, [9])); // another series

        var chunks = await store.ReadAsync(Series, fromMs, toMs);

        Assert.Equal(sequences, chunks.Select(c => c.Sequence));
        Assert.All(chunks, c => Assert.Equal(c.Sequence, c.Data[0]));
    }

    [Fact]
    public async Task Retention_deletes_expired_chunks_below_the_sealed_sequence_and_reports_what_is_left()
    {
        using var store = new SqlChunkStore(_directory.CreateDatabase());
        await store.WriteAsync(new StoredChunk(Series, 0, 1_000, 2_000, 10, new byte[100]));
        await store.WriteAsync(new StoredChunk(Series, 1, 3_000, 4_000, 20, new byte[200]));
        await store.WriteAsync(new StoredChunk(Series, 2, 5_000, 6_000, 30, new byte[300]));
        // Written by a seal whose record did not commit: the series has not recorded it, so retention leaves it alone.
        await store.WriteAsync(new StoredChunk(Series, 3, 1, 2, 40, new byte[400]));

        var expired = await store.DeleteExpiredAsync(Series, cutoffMs: 4_500, sequenceBelow: 3);

        Assert.Equal(new ExpiredChunks(2, new ChunkTotals(1, 300, 30, 5_000)), expired);
        Assert.Equal([2L, 3], (await store.ReadAsync(Series, long.MinValue, long.MaxValue)).Select(c => c.Sequence));

        // Nothing left to expire: the totals are absolute, so a repeated pass reports the same.
        Assert.Equal(new ExpiredChunks(0, new ChunkTotals(1, 300, 30, 5_000)), await store.DeleteExpiredAsync(Series, 4_500, 3));
        Assert.Equal(new ExpiredChunks(1, new ChunkTotals(0, 0, 0, 0)), await store.DeleteExpiredAsync(Series, 10_000, 3));
    }

    public void Dispose() => _directory.Dispose();
}
