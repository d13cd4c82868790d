using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using System.Data;

namespace Perf.Actors.Storage;

/// <summary>
/// Snapshot store of the series actors: the latest snapshot of each series, one row per series, replaced on every save.
/// A series only ever recovers from its latest snapshot, so keeping one row makes deleting old snapshots unnecessary,
/// and saves ride the database's <see cref="DatabaseWriter"/> with the journal writes.
/// </summary>
public sealed class SeriesSnapshotStore : SnapshotStore
{
    public const string PluginId = "perf.series-snapshot-store";

    private readonly PluginDatabase _database;
    private readonly Akka.Serialization.Serialization _serialization;

    public SeriesSnapshotStore(Config config)
    {
        _database = new PluginDatabase(config, PluginId);
        _serialization = Context.System.Serialization;
    }

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_nr, created_ticks, serializer_id, manifest, payload FROM series_snapshot WHERE persistence_id = @id";
        command.AddParameter("@id", persistenceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc));
        // Only the latest snapshot is kept; one outside the criteria means there is none to offer.
        if (metadata.SequenceNr > criteria.MaxSequenceNr || metadata.Timestamp > criteria.MaxTimeStamp) return null;
        var snapshot = _serialization.Deserialize((byte[])reader[4], reader.GetInt32(2), reader.GetString(3));
        return new SelectedSnapshot(metadata, snapshot);
    }

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var serializer = _serialization.FindSerializerFor(snapshot);
        return _database.Writer.WriteAsync(new SaveRow(metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp.Ticks, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, snapshot), serializer.ToBinary(snapshot)));
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) =>
        _database.Writer.WriteAsync(new DeleteRow(metadata.PersistenceId, metadata.SequenceNr));

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        _database.Writer.WriteAsync(new DeleteRow(persistenceId, criteria.MaxSequenceNr));

    protected override void PostStop()
    {
        _database.Dispose();
        base.PostStop();
    }

    /// <summary>Replaces the series' snapshot unless the stored one is newer (saves may complete out of order).</summary>
    private sealed class SaveRow(string persistenceId, long sequenceNr, long createdTicks, int serializerId, string manifest, byte[] payload) : DatabaseWork
    {
        private const string Sql = """
            INSERT INTO series_snapshot (persistence_id, sequence_nr, created_ticks, serializer_id, manifest, payload)
            VALUES (@id, @seq, @created, @ser, @man, @payload)
            ON CONFLICT (persistence_id) DO UPDATE SET sequence_nr = excluded.sequence_nr, created_ticks = excluded.created_ticks,
              serializer_id = excluded.serializer_id, manifest = excluded.manifest, payload = excluded.payload
            WHERE excluded.sequence_nr >= series_snapshot.sequence_nr
            """;

        public override void Execute(DatabaseStatements statements)
        {
            var command = statements.Command(Sql, ("@id", DbType.String), ("@seq", DbType.Int64), ("@created", DbType.Int64),
                ("@ser", DbType.Int32), ("@man", DbType.String), ("@payload", DbType.Binary));
            var p = command.Parameters;
            (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value) = (persistenceId, sequenceNr, createdTicks, serializerId, manifest, payload);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Deletes the stored snapshot when it is at or below the given sequence number.</summary>
    private sealed class DeleteRow(string persistenceId, long maxSequenceNr) : DatabaseWork
    {
        private const string Sql = "DELETE FROM series_snapshot WHERE persistence_id = @id AND sequence_nr <= @max";

        public override void Execute(DatabaseStatements statements)
        {
            var command = statements.Command(Sql, ("@id", DbType.String), ("@max", DbType.Int64));
            (command.Parameters[0].Value, command.Parameters[1].Value) = (persistenceId, maxSequenceNr);
            command.ExecuteNonQuery();
        }
    }
}
