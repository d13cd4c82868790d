using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Perf.Actors.Storage;

/// <summary>
/// Chunk table in the node's SQLite file, next to the journal. Writes from all series go through one writer loop that
/// commits whatever has queued up in a single transaction (group commit across series), because a SQLite commit costs an
/// fsync and there are hundreds of chunk seals per second at full ingest rate.
/// </summary>
public sealed class SqliteChunkStore : IChunkStore, IAsyncDisposable
{
    private const int MaxChunksPerTransaction = 512;
    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly Channel<PendingWrite> _writes = Channel.CreateBounded<PendingWrite>(
        new BoundedChannelOptions(8192) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task _writer;

    /// <param name="synchronous">SQLite's <c>PRAGMA synchronous</c> for this store's connections: "normal" or "full".</param>
    public SqliteChunkStore(string connectionString, string synchronous = "full")
    {
        _connectionString = connectionString;
        _synchronous = synchronous is "normal" or "full" ? synchronous : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full");
        _writer = Task.Run(WriteLoopAsync);
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

    public async Task WriteAsync(StoredChunk chunk, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWrite(chunk, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _writes.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredChunk>> ReadAsync(string seriesId, long fromMs, long toMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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

    public async Task<ExpiredChunks> DeleteExpiredAsync(string seriesId, long cutoffMs, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$series", seriesId);
        command.Parameters.AddWithValue("$cutoff", cutoffMs);
        command.CommandText = """
            SELECT count(*), coalesce(sum(length(data)), 0), coalesce(sum(point_count), 0)
            FROM series_chunks WHERE series_id = $series AND last_ms < $cutoff
            """;
        int count; long bytes, points;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (count, bytes, points) = (reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        command.CommandText = "DELETE FROM series_chunks WHERE series_id = $series AND last_ms < $cutoff";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "SELECT coalesce(min(first_ms), 0) FROM series_chunks WHERE series_id = $series";
        var oldest = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ExpiredChunks(count, bytes, points, oldest);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxChunksPerTransaction);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxChunksPerTransaction && _writes.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await WriteBatchAsync(batch).ConfigureAwait(false);
                foreach (var write in batch) write.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var write in batch) write.Done.TrySetException(e);
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO series_chunks (series_id, sequence, first_ms, last_ms, point_count, data)
            VALUES ($series, $sequence, $first, $last, $count, $data)
            """;
        var series = command.Parameters.Add("$series", SqliteType.Text);
        var sequence = command.Parameters.Add("$sequence", SqliteType.Integer);
        var first = command.Parameters.Add("$first", SqliteType.Integer);
        var last = command.Parameters.Add("$last", SqliteType.Integer);
        var count = command.Parameters.Add("$count", SqliteType.Integer);
        var data = command.Parameters.Add("$data", SqliteType.Blob);
        foreach (var (chunk, _) in batch)
        {
            series.Value = chunk.SeriesId;
            sequence.Value = chunk.Sequence;
            first.Value = chunk.FirstMs;
            last.Value = chunk.LastMs;
            count.Value = chunk.PointCount;
            data.Value = chunk.Data;
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous = {_synchronous}; PRAGMA busy_timeout = 30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed record PendingWrite(StoredChunk Chunk, TaskCompletionSource Done);
}
