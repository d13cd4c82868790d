using System.Data;

namespace Perf.Storage.Chunks;

/// <summary>
/// The chunk table (<c>series_chunks</c>), next to the host log in the node's database (SQLite or PostgreSQL). A chunk is
/// written in the transaction of the host log record that seals it (<see cref="Write"/>); retention deletes go through
/// the database's <see cref="DatabaseWriter"/> too, so they share transactions with the log's writes.
/// </summary>
public sealed class SqlChunkStore : IChunkStore, IDisposable
{
    private readonly StorageDatabase _database;
    private readonly DatabaseWriter.Lease _writer;

    public SqlChunkStore(StorageDatabase database)
    {
        _database = database;
        _writer = DatabaseWriter.Acquire(database);
    }

    public Task WriteAsync(StoredChunk chunk, CancellationToken cancellationToken = default) =>
        _writer.Writer.WriteAsync(new WriteChunk(chunk), cancellationToken);

    /// <summary>Writes a chunk inside the writer's current transaction (with the host record that seals it).</summary>
    public static void Write(DatabaseStatements statements, StoredChunk chunk) => WriteChunk.Execute(statements, chunk);

    public async Task<IReadOnlyList<StoredChunk>> ReadAsync(string seriesId, long fromMs, long toMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence, first_ms, last_ms, point_count, data FROM series_chunks
            WHERE series_id = @series AND last_ms >= @from AND first_ms <= @to
            ORDER BY sequence
            """;
        command.AddParameter("@series", seriesId);
        command.AddParameter("@from", fromMs);
        command.AddParameter("@to", toMs);
        var chunks = new List<StoredChunk>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            chunks.Add(new StoredChunk(seriesId, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), (byte[])reader[4]));
        return chunks;
    }

    public async Task<ExpiredChunks> DeleteExpiredAsync(string seriesId, long cutoffMs, long sequenceBelow, CancellationToken cancellationToken = default)
    {
        var expire = new ExpireChunks(seriesId, cutoffMs, sequenceBelow);
        await _writer.Writer.WriteAsync(expire, cancellationToken).ConfigureAwait(false);
        return expire.Result!;
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>Idempotent: the same series and sequence again replaces the chunk, unless the stored one is fenced higher.</summary>
    private sealed class WriteChunk(StoredChunk chunk) : DatabaseWork
    {
        private const string Sql = """
            INSERT INTO series_chunks (series_id, sequence, first_ms, last_ms, point_count, data, fence)
            VALUES (@series, @sequence, @first, @last, @count, @data, @fence)
            ON CONFLICT (series_id, sequence) DO UPDATE SET first_ms = excluded.first_ms, last_ms = excluded.last_ms,
              point_count = excluded.point_count, data = excluded.data, fence = excluded.fence
            WHERE excluded.fence >= series_chunks.fence
            """;

        public override void Execute(DatabaseStatements statements) => Execute(statements, chunk);

        public static void Execute(DatabaseStatements statements, StoredChunk chunk)
        {
            var command = statements.Command(Sql, ("@series", DbType.String), ("@sequence", DbType.Int64), ("@first", DbType.Int64),
                ("@last", DbType.Int64), ("@count", DbType.Int32), ("@data", DbType.Binary), ("@fence", DbType.Int64));
            var p = command.Parameters;
            (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value) =
                (chunk.SeriesId, chunk.Sequence, chunk.FirstMs, chunk.LastMs, chunk.PointCount, chunk.Data, chunk.Fence);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Deletes and reports what is left, in the writer's transaction so the two agree.</summary>
    private sealed class ExpireChunks(string seriesId, long cutoffMs, long sequenceBelow) : DatabaseWork
    {
        private const string DeleteSql = "DELETE FROM series_chunks WHERE series_id = @series AND last_ms < @cutoff AND sequence < @below";
        private const string RemainingSql = """
            SELECT count(*), coalesce(sum(length(data)), 0), coalesce(sum(point_count), 0), coalesce(min(first_ms), 0)
            FROM series_chunks WHERE series_id = @series AND sequence < @below
            """;

        public ExpiredChunks? Result { get; private set; }

        public override void Execute(DatabaseStatements statements)
        {
            var delete = statements.Command(DeleteSql, ("@series", DbType.String), ("@cutoff", DbType.Int64), ("@below", DbType.Int64));
            (delete.Parameters[0].Value, delete.Parameters[1].Value, delete.Parameters[2].Value) = (seriesId, cutoffMs, sequenceBelow);
            var deleted = delete.ExecuteNonQuery();
            var remaining = statements.Command(RemainingSql, ("@series", DbType.String), ("@below", DbType.Int64));
            (remaining.Parameters[0].Value, remaining.Parameters[1].Value) = (seriesId, sequenceBelow);
            using var reader = remaining.ExecuteReader();
            reader.Read();
            // Aggregates are 64-bit (numeric for PostgreSQL's sum of bigint): read them as numbers, whatever their width.
            Result = new ExpiredChunks(deleted, new ChunkTotals(Convert.ToInt32(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1)),
                Convert.ToInt64(reader.GetValue(2)), Convert.ToInt64(reader.GetValue(3))));
        }
    }
}
