using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace Perf.Actors.Storage;

/// <summary>
/// The journal of the series actors: an Akka.Persistence write journal on the node's SQLite file, built for one job —
/// many small writes from many actors. Every write that arrives while a transaction is being committed joins the next
/// one (group commit across all series), through one connection with one prepared statement, so the cost per event is
/// a row insert instead of a round of the general SQL plugin's machinery (which ran out of CPU near 10,000 writes/s
/// here). Writes go through the database's <see cref="SqliteWriter"/>. Rows are keyed by (persistence id, sequence
/// number). Other actors keep using Akka.Persistence.Sql, whose tagged events and queries the alert stream needs.
/// </summary>
public sealed class SqliteSeriesJournal : AsyncWriteJournal
{
    public const string PluginId = "perf.series-journal";

    private readonly SqlitePluginDatabase _database;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteSeriesJournal(Config config)
    {
        _database = new SqlitePluginDatabase(config, PluginId, Initialize);
        _serialization = Context.System.Serialization;
    }

    /// <summary>HOCON that registers this journal and <see cref="SqliteSeriesSnapshotStore"/>; series actors select them by plugin id.</summary>
    public static Config PluginConfig(string connectionString, string synchronous)
    {
        var cs = connectionString.Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($$"""
            perf.series-journal {
              class = "{{typeof(SqliteSeriesJournal).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              connection-string = "{{cs}}"
              synchronous = {{synchronous}}
              # Longer than perf.ingest.write_timeout: a write the journal gives up on must not commit behind the
              # actor's back, and a queued write always commits within the writer's next transactions.
              circuit-breaker.call-timeout = 60s
            }
            perf.series-snapshot-store {
              class = "{{typeof(SqliteSeriesSnapshotStore).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              connection-string = "{{cs}}"
              synchronous = {{synchronous}}
              circuit-breaker.call-timeout = 60s
            }
            """);
    }

    public static void Initialize(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS series_journal (
                persistence_id TEXT    NOT NULL,
                sequence_nr    INTEGER NOT NULL,
                serializer_id  INTEGER NOT NULL,
                manifest       TEXT    NOT NULL,
                payload        BLOB    NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr)
            ) WITHOUT ROWID;
            """;
        command.ExecuteNonQuery();
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        foreach (var write in messages)
        foreach (var representation in (IImmutableList<IPersistentRepresentation>)write.Payload)
        {
            var payload = representation.Payload;
            var serializer = _serialization.FindSerializerFor(payload);
            rows.Add(new Row(representation.PersistenceId, representation.SequenceNr, serializer.Identifier,
                Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload)));
        }
        await _database.Writer.WriteAsync(new AppendRows(rows), cancellationToken).ConfigureAwait(false);
        return null!; // all succeeded (a failed transaction throws and fails every write in it)
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
            WHERE persistence_id = $id AND sequence_nr BETWEEN $from AND $to ORDER BY sequence_nr LIMIT $max
            """;
        command.Parameters.AddWithValue("$id", persistenceId);
        command.Parameters.AddWithValue("$from", fromSequenceNr);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.Parameters.AddWithValue("$max", max);
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
        command.CommandText = "SELECT coalesce(max(sequence_nr), 0) FROM series_journal WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
    }

    protected override void PostStop()
    {
        _database.Dispose();
        base.PostStop();
    }

    private sealed record Row(string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Payload);

    private sealed class AppendRows(List<Row> rows) : SqliteWork
    {
        private const string Sql = "INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES ($id, $seq, $ser, $man, $payload)";

        public override void Execute(SqliteStatements statements)
        {
            var insert = statements.Command(Sql, ("$id", SqliteType.Text), ("$seq", SqliteType.Integer), ("$ser", SqliteType.Integer), ("$man", SqliteType.Text), ("$payload", SqliteType.Blob));
            var p = insert.Parameters;
            foreach (var row in rows)
            {
                (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value) = (row.PersistenceId, row.SequenceNr, row.SerializerId, row.Manifest, row.Payload);
                insert.ExecuteNonQuery();
            }
        }
    }

    /// <summary>The newest row of a persistence id stays: it carries the highest sequence number a recovery must continue from.</summary>
    private sealed class DeleteRows(string persistenceId, long toSequenceNr) : SqliteWork
    {
        private const string Sql = """
            DELETE FROM series_journal WHERE persistence_id = $id AND sequence_nr <= $to
              AND sequence_nr < (SELECT max(sequence_nr) FROM series_journal WHERE persistence_id = $id)
            """;

        public override void Execute(SqliteStatements statements)
        {
            var delete = statements.Command(Sql, ("$id", SqliteType.Text), ("$to", SqliteType.Integer));
            (delete.Parameters[0].Value, delete.Parameters[1].Value) = (persistenceId, toSequenceNr);
            delete.ExecuteNonQuery();
        }
    }
}
