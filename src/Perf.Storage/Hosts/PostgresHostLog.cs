using System.Data;
using Perf.Storage.Chunks;

namespace Perf.Storage.Hosts;

/// <summary>
/// The host log on PostgreSQL: one row per record, keyed by (host, sequence number). Every worker of a cluster writes
/// the same table and a host that moves to another worker reads its rows from there, so the key is the index; it also
/// refuses a second writer of a host (a worker that lost the host but has not noticed yet) the same sequence number.
/// </summary>
public sealed class PostgresHostLog(StorageDatabase database, DatabaseWriter writer) : IHostLog
{
    // Nothing to load: the rows are found by their key.
    public Task Loaded => Task.CompletedTask;

    public string LoadProgress => "rows are found by their key: nothing to scan";

    public Task StoppingAsync() => Task.CompletedTask;

    public void Append(HostWrite write) => writer.Write(new AppendRow(write));

    public Task DeleteToAsync(string host, long toSequenceNr) => writer.WriteAsync(new DeleteRows(host, toSequenceNr));

    public async Task<IReadOnlyList<HostLogRecord>> ReadAsync(string host, long afterSequenceNr, CancellationToken cancellationToken = default)
    {
        // A write of this host may still be queued (its actor stopped after a failure): recovery must see it.
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_nr, payload FROM host_log WHERE host = @host AND sequence_nr > @after ORDER BY sequence_nr";
        command.AddParameter("@host", host);
        command.AddParameter("@after", afterSequenceNr);
        var records = new List<HostLogRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            records.Add(new HostLogRecord(reader.GetInt64(0), (byte[])reader[1]));
        return records;
    }

    public async Task<long> ReadHighestSequenceNrAsync(string host, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        // As in a read: a recovering host must not reuse the sequence number of a write that is still queued.
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence_nr), 0) FROM host_log WHERE host = @host";
        command.AddParameter("@host", host);
        return Math.Max(fromSequenceNr, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L));
    }

    private sealed class AppendRow(HostWrite write) : DatabaseWork
    {
        private const string Sql = "INSERT INTO host_log (host, sequence_nr, payload) VALUES (@host, @seq, @payload)";

        public override void Execute(DatabaseStatements statements)
        {
            foreach (var chunk in write.Chunks) SqlChunkStore.Write(statements, chunk);
            var insert = statements.Command(Sql, ("@host", DbType.String), ("@seq", DbType.Int64), ("@payload", DbType.Binary));
            var p = insert.Parameters;
            (p[0].Value, p[1].Value, p[2].Value) = (write.Host, write.SequenceNr, write.PayloadArray());
            insert.ExecuteNonQuery();
        }

        protected override void Completed(Exception? error) => write.Done(error);
    }

    /// <summary>The newest row of a host stays: it carries the highest sequence number a recovery must continue from.</summary>
    private sealed class DeleteRows(string host, long toSequenceNr) : DatabaseWork
    {
        private const string Sql = """
            DELETE FROM host_log WHERE host = @host AND sequence_nr <= @to
              AND sequence_nr < (SELECT max(sequence_nr) FROM host_log WHERE host = @host)
            """;

        public override void Execute(DatabaseStatements statements)
        {
            var delete = statements.Command(Sql, ("@host", DbType.String), ("@to", DbType.Int64));
            (delete.Parameters[0].Value, delete.Parameters[1].Value) = (host, toSequenceNr);
            delete.ExecuteNonQuery();
        }
    }
}
