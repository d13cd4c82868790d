using System.Buffers;
using System.Data;

namespace Perf.Storage.Hosts;

/// <summary>
/// The latest snapshot of each host (table <c>host_snapshots</c>), one row per host, replaced on every save: a host only
/// ever recovers from its latest snapshot. Saves go through the database's <see cref="DatabaseWriter"/>, in the same
/// group commits as the host log.
/// </summary>
public sealed class HostSnapshotStore(StorageDatabase database, DatabaseWriter writer)
{
    /// <summary>Stores the snapshot unless the stored one is newer (saves may complete out of order).</summary>
    public Task SaveAsync(string host, long sequenceNr, byte[] payload, long createdMs, CancellationToken cancellationToken = default) =>
        writer.WriteAsync(new SaveRow(host, sequenceNr, payload, createdMs), cancellationToken);

    /// <summary>The host's stored snapshot; null when it has none.</summary>
    public async Task<HostSnapshot?> LoadAsync(string host, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_nr, payload FROM host_snapshots WHERE host = @host";
        command.AddParameter("@host", host);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var sequenceNr = reader.GetInt64(0);
        // Into a pooled buffer: a snapshot is hundreds of KB (a large-object allocation each), and a thousand hosts
        // recovering at once made the collector spend more time than the decoding.
        var length = checked((int)reader.GetBytes(1, 0, null, 0, 0));
        var payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (reader.GetBytes(1, 0, payload, 0, length) != length) throw new InvalidDataException("the payload ended early");
            return HostSnapshotCodec.Decode(sequenceNr, payload.AsSpan(0, length));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The snapshot of host {host} at record {sequenceNr} does not read: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    private sealed class SaveRow(string host, long sequenceNr, byte[] payload, long createdMs) : DatabaseWork
    {
        private const string Sql = """
            INSERT INTO host_snapshots (host, sequence_nr, created_ms, payload) VALUES (@host, @seq, @created, @payload)
            ON CONFLICT (host) DO UPDATE SET sequence_nr = excluded.sequence_nr, created_ms = excluded.created_ms, payload = excluded.payload
            WHERE excluded.sequence_nr >= host_snapshots.sequence_nr
            """;

        public override void Execute(DatabaseStatements statements)
        {
            var command = statements.Command(Sql, ("@host", DbType.String), ("@seq", DbType.Int64), ("@created", DbType.Int64), ("@payload", DbType.Binary));
            var p = command.Parameters;
            (p[0].Value, p[1].Value, p[2].Value, p[3].Value) = (host, sequenceNr, createdMs, payload);
            command.ExecuteNonQuery();
        }
    }
}
