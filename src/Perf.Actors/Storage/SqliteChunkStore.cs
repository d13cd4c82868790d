using Microsoft.Data.Sqlite;

namespace Perf.Actors.Storage;

/// <summary>
/// Chunk table in the node's SQLite file, next to the journal. Writes go through the database's
/// <see cref="SqliteWriter"/>, so chunk seals of many series share a transaction with the journal writes.
/// </summary>
public sealed class SqliteChunkStore : IChunkStore, IDisposable
{
    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly SqliteWriter.Lease _writer;

    /// <param name="synchronous">SQLite's <c>PRAGMA synchronous</c> for this store's connections: "normal" or "full".</param>
    public SqliteChunkStore(string connectionString, string synchronous = "full")
    {
        _connectionString = connectionString;
        _synchronous = synchronous;
        Initialize(connectionString);
        _writer = SqliteWriter.Acquire(connectionString, synchronous);
    }

    /// <summary>Creates the chunk table and switches the database to WAL, which also lets the journal's readers run beside
    /// writers. WAL is a property of the file, so doing it once here covers the journal's connections too.</summary>
    public static void Initialize(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS series_chunks (
                series_id   TEXT    NOT NULL,
                sequence    INTEGER NOT NULL,
                first_ms    INTEGER NOT NULL,
                last_ms     INTEGER NOT NULL,
                point_count INTEGER NOT NULL,
                data        BLOB    NOT NULL,
                PRIMARY KEY (series_id, sequence)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS series_chunks_by_last ON series_chunks (series_id, last_ms);
            """;
        command.ExecuteNonQuery();
    }

    public Task WriteAsync(StoredChunk chunk, CancellationToken cancellationToken = default) =>
        _writer.Writer.WriteAsync(new WriteChunk(chunk), cancellationToken);

    public async Task<IReadOnlyList<StoredChunk>> ReadAsync(string seriesId, long fromMs, long toMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await SqliteWriter.OpenAsync(_connectionString, _synchronous, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence, first_ms, last_ms, point_count, data FROM series_chunks
            WHERE series_id = $series AND last_ms >= $from AND first_ms <= $to
            ORDER BY sequence
            """;
        command.Parameters.AddWithValue("$series", seriesId);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
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

    /// <summary>Idempotent: the same series and sequence again replaces the chunk.</summary>
    private sealed class WriteChunk(StoredChunk chunk) : SqliteWork
    {
        private const string Sql = """
            INSERT OR REPLACE INTO series_chunks (series_id, sequence, first_ms, last_ms, point_count, data)
            VALUES ($series, $sequence, $first, $last, $count, $data)
            """;

        public override void Execute(SqliteStatements statements)
        {
            var command = statements.Command(Sql, ("$series", SqliteType.Text), ("$sequence", SqliteType.Integer), ("$first", SqliteType.Integer),
                ("$last", SqliteType.Integer), ("$count", SqliteType.Integer), ("$data", SqliteType.Blob));
            var p = command.Parameters;
            (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value) =
                (chunk.SeriesId, chunk.Sequence, chunk.FirstMs, chunk.LastMs, chunk.PointCount, chunk.Data);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Deletes and reports what is left, in the writer's transaction so the two agree.</summary>
    private sealed class ExpireChunks(string seriesId, long cutoffMs, long sequenceBelow) : SqliteWork
    {
        private const string DeleteSql = "DELETE FROM series_chunks WHERE series_id = $series AND last_ms < $cutoff AND sequence < $below";
        private const string RemainingSql = """
            SELECT count(*), coalesce(sum(length(data)), 0), coalesce(sum(point_count), 0), coalesce(min(first_ms), 0)
            FROM series_chunks WHERE series_id = $series AND sequence < $below
            """;

        public ExpiredChunks? Result { get; private set; }

        public override void Execute(SqliteStatements statements)
        {
            var delete = statements.Command(DeleteSql, ("$series", SqliteType.Text), ("$cutoff", SqliteType.Integer), ("$below", SqliteType.Integer));
            (delete.Parameters[0].Value, delete.Parameters[1].Value, delete.Parameters[2].Value) = (seriesId, cutoffMs, sequenceBelow);
            var deleted = delete.ExecuteNonQuery();
            var remaining = statements.Command(RemainingSql, ("$series", SqliteType.Text), ("$below", SqliteType.Integer));
            (remaining.Parameters[0].Value, remaining.Parameters[1].Value) = (seriesId, sequenceBelow);
            using var reader = remaining.ExecuteReader();
            reader.Read();
            Result = new ExpiredChunks(deleted, new ChunkTotals(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
    }
}
