using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using System.Data;

namespace Perf.Actors.Storage;

/// <summary>
/// The journal of the series actors: an Akka.Persistence write journal on the node's database (SQLite or PostgreSQL), built for one job —
/// many small writes from many actors. Every write that arrives while a transaction is being committed joins the next
/// one (group commit across all series), through one connection with one prepared statement, so the cost per event is
/// a row insert instead of a round of the general SQL plugin's machinery (which ran out of CPU near 10,000 writes/s
/// here). Writes go through the database's <see cref="DatabaseWriter"/>. Rows are keyed by (persistence id, sequence
/// number). Other actors keep using Akka.Persistence.Sql, whose tagged events and queries the alert stream needs.
/// </summary>
public sealed class SeriesJournal : AsyncWriteJournal
{
    public const string PluginId = "perf.series-journal";

    private readonly PluginDatabase _database;
    private readonly Akka.Serialization.Serialization _serialization;

    public SeriesJournal(Config config)
    {
        _database = new PluginDatabase(config, PluginId);
        _serialization = Context.System.Serialization;
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        await _database.Writer.WriteAsync(new AppendRows(RowsOf(_serialization, messages)), cancellationToken).ConfigureAwait(false);
        return null!; // all succeeded (a failed transaction throws and fails every write in it)
    }

    /// <summary>The journal rows of the writes: each event serialized with its manifest (also what the memory benchmark times).</summary>
    public static List<Row> RowsOf(Akka.Serialization.Serialization serialization, IEnumerable<AtomicWrite> messages)
    {
        var rows = new List<Row>();
        foreach (var write in messages)
        foreach (var representation in (IImmutableList<IPersistentRepresentation>)write.Payload)
        {
            var payload = representation.Payload;
            var serializer = serialization.FindSerializerFor(payload);
            rows.Add(new Row(representation.PersistenceId, representation.SequenceNr, serializer.Identifier,
                Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload)));
        }
        return rows;
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        _database.Writer.WriteAsync(new DeleteRows(persistenceId, toSequenceNr));

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0) return;
        // A write of this series may still be queued (its actor stopped after a timeout): replay must see it.
        await _database.Writer.FlushAsync().ConfigureAwait(false);
        await using var connection = await _database.OpenAsync().ConfigureAwait(false);
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
        {
            var manifest = reader.GetString(2);
            var payload = _serialization.Deserialize((byte[])reader[3], reader.GetInt32(1), manifest);
            recoveryCallback(new Persistent(payload, reader.GetInt64(0), persistenceId, manifest, false, ActorRefs.NoSender));
        }
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        // As in replay: a recovering series must not reuse the sequence number of a write that is still queued.
        await _database.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence_nr), 0) FROM series_journal WHERE persistence_id = @id";
        command.AddParameter("@id", persistenceId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    protected override void PostStop()
    {
        _database.Dispose();
        base.PostStop();
    }

    /// <summary>One event as the journal table stores it.</summary>
    public sealed record Row(string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Payload);

    private sealed class AppendRows(List<Row> rows) : DatabaseWork
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
