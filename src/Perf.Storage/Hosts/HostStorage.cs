using Perf.Storage.Chunks;

namespace Perf.Storage.Hosts;

/// <summary>
/// Where hosts keep what they own: the host log (one record per write), the latest snapshot of each host, and the
/// sealed chunks of their series, all through the database's one <see cref="DatabaseWriter"/> (group commit across
/// hosts). A host recovers from its snapshot plus the records after it (<see cref="RecoverAsync"/>).
/// </summary>
public sealed class HostStorage : IDisposable
{
    private readonly DatabaseWriter.Lease _writer;
    private readonly SqlChunkStore _chunks;

    public HostStorage(StorageDatabase database)
    {
        Database = database;
        _writer = DatabaseWriter.Acquire(database);
        Log = database.Provider == StorageProvider.Sqlite
            ? new SqliteHostLog(database, _writer.Writer)
            : new PostgresHostLog(database, _writer.Writer);
        Snapshots = new HostSnapshotStore(database, _writer.Writer);
        _chunks = new SqlChunkStore(database);
    }

    public StorageDatabase Database { get; }

    public IHostLog Log { get; }

    public HostSnapshotStore Snapshots { get; }

    public IChunkStore Chunks => _chunks;

    /// <summary>Why writes are failing (the database refused the last transaction less than <paramref name="within"/> ago
    /// and nothing has committed since), or null.</summary>
    public string? WritesFailingWithin(TimeSpan within) => _writer.Writer.FailingWithin(within);

    /// <summary>Completes once every write queued before it has committed (a read that must see them waits for this).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _writer.Writer.FlushAsync(cancellationToken);

    /// <summary>Stores one write of a host; its listener is told once its transaction has committed (fsynced on SQLite's default).</summary>
    public void Append(HostWrite write) => Log.Append(write);

    /// <summary>Stores one write of a host (which must have no listener of its own); completes once it has committed.</summary>
    public Task AppendAsync(HostWrite write) => Log.AppendAsync(write);

    /// <summary>
    /// Stores the host's snapshot and only then lets the log drop the records it covers: a snapshot that fails (a full
    /// disk) leaves every record a recovery needs in place.
    /// </summary>
    public async Task SaveSnapshotAsync(string host, long sequenceNr, byte[] payload, long createdMs, CancellationToken cancellationToken = default)
    {
        await Snapshots.SaveAsync(host, sequenceNr, payload, createdMs, cancellationToken).ConfigureAwait(false);
        await Log.DeleteToAsync(host, sequenceNr).ConfigureAwait(false);
    }

    /// <summary>What the host recovers from: its snapshot, the records after it, and the sequence number to continue after.</summary>
    public async Task<HostRecovery> RecoverAsync(string host, CancellationToken cancellationToken = default)
    {
        await Log.Loaded.ConfigureAwait(false);
        // Records first, then the snapshot: a snapshot saved meanwhile (by a previous owner still finishing) drops the
        // records it covers only after it has committed, so either the records are read or the snapshot that holds them
        // is. The other order could read the older snapshot and then find its records already gone.
        var live = await Log.ReadAsync(host, 0, cancellationToken).ConfigureAwait(false);
        var snapshot = await Snapshots.LoadAsync(host, cancellationToken).ConfigureAwait(false);
        var after = snapshot?.SequenceNr ?? 0;
        IReadOnlyList<HostLogRecord> records = live.Count > 0 && live[0].SequenceNr <= after ? [.. live.Where(r => r.SequenceNr > after)] : live;
        var highest = await Log.ReadHighestSequenceNrAsync(host, records.Count > 0 ? records[^1].SequenceNr : after, cancellationToken).ConfigureAwait(false);
        return new HostRecovery(snapshot, records, highest);
    }

    public void Dispose()
    {
        // The log's start-up scan reads on a connection of its own: wait for it, so that no connection outlives the storage.
        try { Log.Loaded.Wait(); }
        catch (AggregateException) { } // a scan that failed has closed its connection, and its error was reported to its readers
        _chunks.Dispose();
        _writer.Dispose();
    }
}

/// <param name="Snapshot">the host's latest snapshot; null when it has none.</param>
/// <param name="Records">the records after it, in sequence order.</param>
/// <param name="HighestSequenceNr">the highest sequence number the host has used: its next write takes the one after.</param>
public sealed record HostRecovery(HostSnapshot? Snapshot, IReadOnlyList<HostLogRecord> Records, long HighestSequenceNr);
