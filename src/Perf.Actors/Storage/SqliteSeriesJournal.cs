using System.Collections.Immutable;
using System.Threading.Channels;
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
/// here). Rows are keyed by (persistence id, sequence number). Other actors keep using Akka.Persistence.Sql, whose
/// tagged events and queries the alert stream needs.
/// </summary>
public sealed class SqliteSeriesJournal : AsyncWriteJournal
{
    public const string PluginId = "perf.series-journal";
    private const int MaxWritesPerTransaction = 2048;

    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public SqliteSeriesJournal(Config config)
    {
        _connectionString = config.GetString("connection-string") ?? throw new ConfigurationException($"{PluginId}.connection-string is required");
        _synchronous = config.GetString("synchronous", "full");
        _serialization = Context.System.Serialization;
        Initialize(_connectionString);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>HOCON that registers this journal; series actors select it with <see cref="PluginId"/>.</summary>
    public static Config PluginConfig(string connectionString, string synchronous) => ConfigurationFactory.ParseString($$"""
        perf.series-journal {
          class = "{{typeof(SqliteSeriesJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{connectionString.Replace("\\", "\\\\").Replace("\"", "\\\"")}}"
          synchronous = {{synchronous}}
        }
        """);

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
        var pending = new PendingWrite(rows, null, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _writes.Writer.WriteAsync(pending).ConfigureAwait(false);
        await pending.Done.Task.ConfigureAwait(false);
        return null!; // all succeeded (a failed transaction throws and fails every write in it)
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite(null, new Deletion(persistenceId, toSequenceNr), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _writes.Writer.WriteAsync(pending).ConfigureAwait(false);
        await pending.Done.Task.ConfigureAwait(false);
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0) return;
        await using var connection = await OpenAsync().ConfigureAwait(false);
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
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence_nr), 0) FROM series_journal WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", persistenceId);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false) ?? 0L);
    }

    private async Task WriteLoopAsync()
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES ($id, $seq, $ser, $man, $payload)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var ser = insert.Parameters.Add("$ser", SqliteType.Integer);
        var man = insert.Parameters.Add("$man", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        await using var delete = connection.CreateCommand();
        // The newest row of a persistence id stays: it carries the highest sequence number a recovery must continue from.
        delete.CommandText = """
            DELETE FROM series_journal WHERE persistence_id = $id AND sequence_nr <= $to
              AND sequence_nr < (SELECT max(sequence_nr) FROM series_journal WHERE persistence_id = $id)
            """;
        var deleteId = delete.Parameters.Add("$id", SqliteType.Text);
        var deleteTo = delete.Parameters.Add("$to", SqliteType.Integer);

        var batch = new List<PendingWrite>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxWritesPerTransaction && _writes.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                using (var transaction = connection.BeginTransaction())
                {
                    insert.Transaction = transaction;
                    delete.Transaction = transaction;
                    foreach (var write in batch)
                    {
                        if (write.Rows is { } rows)
                        {
                            foreach (var row in rows)
                            {
                                (id.Value, seq.Value, ser.Value, man.Value, payload.Value) = (row.PersistenceId, row.SequenceNr, row.SerializerId, row.Manifest, row.Payload);
                                insert.ExecuteNonQuery();
                            }
                        }
                        else if (write.Deletion is { } deletion)
                        {
                            (deleteId.Value, deleteTo.Value) = (deletion.PersistenceId, deletion.ToSequenceNr);
                            delete.ExecuteNonQuery();
                        }
                    }
                    transaction.Commit();
                }
                foreach (var write in batch) write.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var write in batch) write.Done.TrySetException(e);
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous = {_synchronous}; PRAGMA busy_timeout = 30000;";
        await pragma.ExecuteNonQueryAsync().ConfigureAwait(false);
        return connection;
    }

    protected override void PostStop()
    {
        _writes.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        base.PostStop();
    }

    private sealed record Row(string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Payload);

    private sealed record Deletion(string PersistenceId, long ToSequenceNr);

    private sealed record PendingWrite(List<Row>? Rows, Deletion? Deletion, TaskCompletionSource Done);
}
