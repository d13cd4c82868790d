using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;
using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Memory;

/// <summary>
/// Prototype: <see cref="SqliteSeriesJournal"/> with the per-write allocations taken out, same table, same rows, same bytes.
/// <list type="number">
/// <item>WriteMessagesAsync is not an async method: it hands the rows to the writer loop and returns the task of a
/// TaskCompletionSource&lt;IImmutableList&lt;Exception?&gt;&gt; that the loop completes, so no state machine is boxed per write.</item>
/// <item>The common single-event write carries one Row, not a List.</item>
/// <item>PointsRecorded is serialized straight into an exact-size array (PerfSerializer's "SE1" bytes) instead of through a
/// MemoryStream and a BinaryWriter.</item>
/// </list>
/// Selected with HOCON: <c>perf.series-journal.class = "Perf.Bench.Memory.LeanSeriesJournal, Perf.Bench.Memory"</c>.
/// </summary>
public sealed class LeanSeriesJournal : AsyncWriteJournal
{
    private const int MaxWritesPerTransaction = 2048;
    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly int _perfSerializerId;

    public LeanSeriesJournal(Config config)
    {
        _connectionString = config.GetString("connection-string") ?? throw new ConfigurationException("connection-string is required");
        _synchronous = config.GetString("synchronous", "full");
        _serialization = Context.System.Serialization;
        _perfSerializerId = _serialization.FindSerializerForType(typeof(PointsRecorded)).Identifier;
        SqliteSeriesJournal.Initialize(_connectionString);
        _writer = Task.Run(WriteLoopAsync);
    }

    public static string Hocon => $"perf.series-journal.class = \"{typeof(LeanSeriesJournal).AssemblyQualifiedName}\"";

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        Row? single = null;
        List<Row>? rows = null;
        foreach (var write in messages)
        {
            var payloads = (IImmutableList<IPersistentRepresentation>)write.Payload;
            for (var i = 0; i < payloads.Count; i++)
            {
                var row = ToRow(payloads[i]);
                if (single is null && rows is null) single = row;
                else
                {
                    rows ??= [single!];
                    rows.Add(row);
                }
            }
        }
        var pending = new PendingWrite(rows is null ? single : null, rows, null, new TaskCompletionSource<IImmutableList<Exception?>>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_writes.Writer.TryWrite(pending)) throw new InvalidOperationException("journal is stopping");
        return pending.Done.Task;
    }

    private Row ToRow(IPersistentRepresentation representation)
    {
        var payload = representation.Payload;
        if (payload is PointsRecorded recorded)
            return new Row(representation.PersistenceId, representation.SequenceNr, _perfSerializerId, "SE1", Encode(recorded));
        var serializer = _serialization.FindSerializerFor(payload);
        return new Row(representation.PersistenceId, representation.SequenceNr, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload));
    }

    /// <summary>PerfSerializer's "SE1" bytes: 7-bit length, then the Gorilla chunk.</summary>
    private static byte[] Encode(PointsRecorded m)
    {
        var encoder = new GorillaChunkEncoder();
        for (var i = 0; i < m.Timestamps.Length; i++) encoder.Append(m.Timestamps[i], m.Values[i]);
        var chunk = encoder.ToArray();
        Span<byte> length = stackalloc byte[5];
        var prefix = 0;
        for (var v = (uint)chunk.Length; ; v >>= 7)
        {
            length[prefix++] = (byte)(v >= 0x80 ? (v & 0x7F) | 0x80 : v);
            if (v < 0x80) break;
        }
        var result = new byte[prefix + chunk.Length];
        length[..prefix].CopyTo(result);
        chunk.CopyTo(result.AsSpan(prefix));
        return result;
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite(null, null, new Deletion(persistenceId, toSequenceNr),
            new TaskCompletionSource<IImmutableList<Exception?>>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_writes.Writer.TryWrite(pending)) throw new InvalidOperationException("journal is stopping");
        return pending.Done.Task;
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
        delete.CommandText = """
            DELETE FROM series_journal WHERE persistence_id = $id AND sequence_nr <= $to
              AND sequence_nr < (SELECT max(sequence_nr) FROM series_journal WHERE persistence_id = $id)
            """;
        var deleteId = delete.Parameters.Add("$id", SqliteType.Text);
        var deleteTo = delete.Parameters.Add("$to", SqliteType.Integer);

        void Insert(Row row)
        {
            (id.Value, seq.Value, ser.Value, man.Value, payload.Value) = (row.PersistenceId, row.SequenceNr, row.SerializerId, row.Manifest, row.Payload);
            insert.ExecuteNonQuery();
        }

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
                        if (write.Single is { } single) Insert(single);
                        else if (write.Rows is { } rows) foreach (var row in rows) Insert(row);
                        else if (write.Deletion is { } deletion)
                        {
                            (deleteId.Value, deleteTo.Value) = (deletion.PersistenceId, deletion.ToSequenceNr);
                            delete.ExecuteNonQuery();
                        }
                    }
                    transaction.Commit();
                }
                foreach (var write in batch) write.Done.TrySetResult(null!);
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

    private sealed record PendingWrite(Row? Single, List<Row>? Rows, Deletion? Deletion, TaskCompletionSource<IImmutableList<Exception?>> Done);
}
