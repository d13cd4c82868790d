using Npgsql;
using Perf.Storage;
using Perf.Storage.Chunks;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Cluster;

/// <summary>
/// The chunk table on a real PostgreSQL, where a cluster's nodes share it: a seal planned by a series' earlier owner and
/// still queued on the node that lost the series must not overwrite what the new owner sealed since.
/// </summary>
[Collection(nameof(ClusterCollection))]
public sealed class PostgresChunkStoreTests(PostgresServer postgres)
{
    private static StoredChunk Chunk(byte content, long fence) => new("web-1/cpu.usage", 0, 1_000, 2_000, 10, [content], fence);

    [Fact]
    public async Task A_chunk_table_of_an_earlier_version_gets_the_fence_and_a_stale_owners_seal_does_not_overwrite_the_new_owners()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("""
                CREATE TABLE series_chunks (series_id TEXT NOT NULL, sequence BIGINT NOT NULL, first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL,
                  point_count INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (series_id, sequence));
                INSERT INTO series_chunks VALUES ('web-1/cpu.usage', 0, 1000, 2000, 10, '\x07');
                """, connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        var database = StorageDatabase.PostgreSql(connectionString);
        database.CreateSchema(); // adds the fence column to the earlier version's table
        using var store = new SqlChunkStore(database);
        Assert.Equal(7, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);

        await store.WriteAsync(Chunk(1, fence: 10)); // the new owner's seal
        await store.WriteAsync(Chunk(2, fence: 5)); // the earlier owner's, planned before the move, written after
        Assert.Equal(1, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);

        await store.WriteAsync(Chunk(3, fence: 10)); // the same owner sealing again after a crash
        Assert.Equal(3, Assert.Single(await store.ReadAsync("web-1/cpu.usage", 0, 5_000)).Data[0]);
    }
}
