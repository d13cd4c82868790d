namespace Perf.Storage.Hosts;

/// <summary>
/// How the host log keeps its records on one provider: appended in group commits, read back per host in sequence order,
/// and dead once the host's stored snapshot covers them. On a node's SQLite file it is an append-only table with the
/// index in memory (<see cref="SqliteHostLog"/>); on a cluster's PostgreSQL a table keyed by (host, sequence number)
/// (<see cref="PostgresHostLog"/>), since a host that moves to another node must find its records there.
/// </summary>
public interface IHostLog
{
    /// <summary>Completes once records can be written and read (on SQLite, after the log's start-up scan).</summary>
    Task Loaded { get; }

    /// <summary>What loading is doing while <see cref="Loaded"/> has not completed, for readiness.</summary>
    string LoadProgress { get; }

    /// <summary>Stores the record (and the chunks it seals) in the writer's next transaction and tells the write's listener
    /// how it ended. Fails when the host already has a record of that sequence number (a second writer of the host).</summary>
    void Append(HostWrite write);

    /// <summary>
    /// The host's stored snapshot covers its records up to <paramref name="toSequenceNr"/>: they are dead. Only ever
    /// called after that snapshot has committed, so no failed write can lose what a recovery needs.
    /// </summary>
    Task DeleteToAsync(string host, long toSequenceNr);

    /// <summary>The host's records after <paramref name="afterSequenceNr"/>, in sequence order (gaps where writes failed).</summary>
    Task<IReadOnlyList<HostLogRecord>> ReadAsync(string host, long afterSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence number the host has used, never below <paramref name="fromSequenceNr"/> (its snapshot's).</summary>
    Task<long> ReadHighestSequenceNrAsync(string host, long fromSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>The node is stopping gracefully (its hosts have snapshotted): record what the next start need not read.</summary>
    Task StoppingAsync();
}

public static class HostLogExtensions
{
    /// <summary>Stores a write made without a listener and completes once it has committed (tools and tests; the hosts
    /// use <see cref="IHostLog.Append"/> with their own listener).</summary>
    public static Task AppendAsync(this IHostLog log, HostWrite write)
    {
        var listener = new TaskListener();
        log.Append(new HostWrite(write.Host, write.SequenceNr, write.PayloadArray(), write.PayloadLength, pooled: false, write.Chunks, listener));
        return listener.Task;
    }

    private sealed class TaskListener : IHostWriteListener
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Task => _done.Task;

        public void Written(HostWrite write, Exception? error)
        {
            if (error is null) _done.TrySetResult();
            else _done.TrySetException(error);
        }
    }
}

/// <summary>One stored record of a host (<see cref="HostRecordWriter"/> has its layout).</summary>
public sealed record HostLogRecord(long SequenceNr, byte[] Payload);
