using System.Data;

namespace Perf.Actors.Storage;

/// <summary>
/// The series journal on PostgreSQL: one row per event, keyed by (persistence id, sequence number). Every node of a
/// cluster writes the same table and a series that moves to another node reads its rows from there, so the key is the
/// index. (On a single node's SQLite file, <see cref="JournalLog"/> keeps that index in memory instead.)
/// </summary>
public sealed class KeyedJournalRows(PluginDatabase database) : IJournalRows
{
    // Nothing to load: the rows are found by their key.
    public Task Loaded => Task.CompletedTask;

    public string LoadProgress => "rows are found by their key: nothing to scan";

    public Task StoppingAsync() => Task.CompletedTask;

    public Task AppendAsync(List<SeriesJournal.Row> rows, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(new AppendRows(rows), cancellationToken);

    public Task DeleteToAsync(string persistenceId, long toSequenceNr) =>
        database.Writer.WriteAsync(new DeleteRows(persistenceId, toSequenceNr));

    public async Task ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<SeriesJournal.Row> replayed)
    {
        // A write of this series may still be queued (its actor stopped after a timeout): replay must see it.
        await database.Writer.FlushAsync().ConfigureAwait(false);
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence_nr, serializer_id, manifest, payload FROM series_journal
            WHERE persistence_id = @id AND sequence_nr BETWEEN @from AND @to ORDER BY sequence_nr LIMIT @max
            """;
        command.AddParameter("@id", persistenceId);
        command.AddParameter("@from", fromSequenceNr);
        command.AddParameter("@to", toSequenceNr);
        command.AddParameter("@max", max);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
            replayed(new SeriesJournal.Row(persistenceId, reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), (byte[])reader[3]));
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        // As in replay: a recovering series must not reuse the sequence number of a write that is still queued.
        await database.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence_nr), 0) FROM series_journal WHERE persistence_id = @id";
        command.AddParameter("@id", persistenceId);
        return Math.Max(fromSequenceNr, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L));
    }

    private sealed class AppendRows(List<SeriesJournal.Row> rows) : DatabaseWork
    {
        private const string Sql = "INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES (@id, @seq, @ser, @man, @payload)";

        public override void Execute(DatabaseStatements statements)
        {
            var insert = statements.Command(Sql, ("@id", DbType.String), ("@seq", DbType.Int64), ("@ser", DbType.Int32), ("@man", DbType.String), ("@payload", DbType.Binary));
            var p = insert.Parameters;
            foreach (var row in rows)
            {
                (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value) = (row.PersistenceId, row.SequenceNr, row.SerializerId, row.Manifest, row.Payload);
                insert.ExecuteNonQuery();
            }
        }
    }

    /// <summary>The newest row of a persistence id stays: it carries the highest sequence number a recovery must continue from.</summary>
    private sealed class DeleteRows(string persistenceId, long toSequenceNr) : DatabaseWork
    {
        private const string Sql = """
            DELETE FROM series_journal WHERE persistence_id = @id AND sequence_nr <= @to
              AND sequence_nr < (SELECT max(sequence_nr) FROM series_journal WHERE persistence_id = @id)
            """;

        public override void Execute(DatabaseStatements statements)
        {
            var delete = statements.Command(Sql, ("@id", DbType.String), ("@to", DbType.Int64));
            (delete.Parameters[0].Value, delete.Parameters[1].Value) = (persistenceId, toSequenceNr);
            delete.ExecuteNonQuery();
        }
    }
}
