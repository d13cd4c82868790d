using Perf.Actors.Storage;

namespace Perf.Actors.Tests.Storage;

/// <summary>The chunk table on a real SQLite file (the same SQL runs on PostgreSQL, see PostgresChunkStoreTests).</summary>
public sealed class SqlChunkStoreTests : IDisposable
{
    private readonly TestDatabase _db = new();

    private static StoredChunk Chunk(byte content, long fence) => new("web-1/cpu.usage", 0, 1_000, 2_000, 10, [content], fence);

    [Fact]
    public async Task A_chunk_is_replaced_by_a_write_fenced_as_high_or_higher_but_not_by_one_an_earlier_owner_planned()
    {
        using var store = new SqlChunkStore(_db.Storage.Series);
        await store.WriteAsync(Chunk(1, fence: 10));

        await store.WriteAsync(Chunk(2, fence: 5)); // planned before the series moved, written after the new owner's seal
        Assert.Equal(1, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);

        await store.WriteAsync(Chunk(3, fence: 10)); // the same owner sealing again after a crash
        Assert.Equal(3, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);
    }

    [Fact]
    public async Task A_chunk_table_of_an_earlier_version_gets_the_fence_and_keeps_its_chunks()
    {
        var old = _db.CreateFile("old.db", """
            CREATE TABLE series_chunks (series_id TEXT NOT NULL, sequence INTEGER NOT NULL, first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL,
              point_count INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series_id, sequence)) WITHOUT ROWID;
            INSERT INTO series_chunks VALUES ('web-1/cpu.usage', 0, 1000, 2000, 10, X'07');
            """);

        using var store = new SqlChunkStore(SeriesDatabase.Sqlite(old));

        Assert.Equal(7, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);
        await store.WriteAsync(Chunk(8, fence: 1));
        Assert.Equal(8, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);
    }

    public void Dispose() => _db.Dispose();
}
