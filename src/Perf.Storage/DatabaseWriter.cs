using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Perf.Storage;

/// <summary>
/// The one writer of a node's host tables. Every write of the hot path (host log records, host snapshots, sealed chunks,
/// the log's deletions) is queued here, and whatever queued up while a transaction was committing goes into the next one:
/// group commit across all hosts and all kinds of write, through one connection with prepared statements. SQLite
/// admits one writer at a time anyway, and on PostgreSQL one commit (one fsync, one round trip) for many writes is what
/// keeps the cost per point low. Shared per database and reference counted: <see cref="Acquire"/> it, dispose the
/// lease when done.
/// </summary>
public sealed class DatabaseWriter
{
    private const int MaxWorkPerTransaction = 4096;
    private static readonly TimeSpan ReconnectPause = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<string, DatabaseWriter> Writers = new();
    private static readonly Lock Registry = new();

    private readonly StorageDatabase _database;
    private readonly Channel<DatabaseWork> _queue = Channel.CreateUnbounded<DatabaseWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private int _leases;
    private Failure? _failure;

    private DatabaseWriter(StorageDatabase database)
    {
        _database = database;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>A lease on the writer of this database, created on first use; the last lease disposed closes it.</summary>
    public static Lease Acquire(StorageDatabase database)
    {
        lock (Registry)
        {
            var writer = Writers.GetOrAdd(database.ConnectionString, _ => new DatabaseWriter(database));
            if (writer._database != database)
                throw new InvalidOperationException($"The database writer runs with {writer._database}, not {database}");
            writer._leases++;
            return new Lease(writer);
        }
    }

    /// <summary>
    /// Queues a unit of work; the task completes when the transaction that carried it has committed. A unit that throws
    /// fails alone (it runs inside its own savepoint); one whose token is cancelled before its turn is skipped.
    /// </summary>
    public Task WriteAsync(DatabaseWork work, CancellationToken cancellationToken = default)
    {
        work.CancellationToken = cancellationToken;
        return _queue.Writer.TryWrite(work)
            ? work.Completion
            : Task.FromException(new ObjectDisposedException(nameof(DatabaseWriter), "the database writer is closed"));
    }

    /// <summary>Queues a unit that learns how it ended through <see cref="DatabaseWork.Completed"/> rather than a task.</summary>
    public void Write(DatabaseWork work)
    {
        if (!_queue.Writer.TryWrite(work)) work.Complete(new ObjectDisposedException(nameof(DatabaseWriter), "the database writer is closed"));
    }

    /// <summary>
    /// Why the database refused the writer's last transaction (a full disk, an I/O error), when that was less than
    /// <paramref name="within"/> ago and nothing has committed since: what readiness reports. It lapses on its own so
    /// that a node nobody writes to becomes ready again and finds out with the next write.
    /// </summary>
    public string? FailingWithin(TimeSpan within) =>
        Volatile.Read(ref _failure) is { } failure && Environment.TickCount64 - failure.AtMs < within.TotalMilliseconds ? failure.Reason : null;

    /// <summary>Completes once everything queued before it has committed: readers that must see all acknowledged and
    /// in-flight writes (a recovering actor reading its highest sequence number) wait for this first.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => WriteAsync(new Barrier(), cancellationToken);

    private async Task LoopAsync()
    {
        var batch = new List<DatabaseWork>();
        var failures = new Exception?[MaxWorkPerTransaction];
        Session? session = null;
        var everConnected = false;
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                if (session is null)
                {
                    try
                    {
                        session = await Session.OpenAsync(_database).ConfigureAwait(false);
                        everConnected = true;
                    }
                    catch (Exception e) when (!everConnected)
                    {
                        // Nothing could ever be written: fail what is queued and refuse what comes.
                        _queue.Writer.TryComplete(e);
                        while (_queue.Reader.TryRead(out var queued)) queued.Complete(e);
                        return;
                    }
                    catch (Exception e)
                    {
                        // The server went away (restarted, failed over): what waits now fails (its writers answer 503 and
                        // retry), and the writer tries again after a pause instead of giving up on the database for good.
                        while (_queue.Reader.TryRead(out var queued)) queued.Complete(e);
                        await Task.Delay(ReconnectPause).ConfigureAwait(false);
                        continue;
                    }
                }
                batch.Clear();
                while (batch.Count < MaxWorkPerTransaction && _queue.Reader.TryRead(out var next)) batch.Add(next);
                try
                {
                    // Optimistically all in one transaction; only when that fails, again with a savepoint per unit, so
                    // that the unit at fault fails alone (savepoints cost statements on every write, failures are rare).
                    if (!TryCommit(session, batch, failures, isolate: false))
                        TryCommit(session, batch, failures, isolate: true);
                    Volatile.Write(ref _failure, NothingWritten(failures.AsSpan(0, batch.Count)) is { } failed
                        ? new Failure(failed.GetBaseException().Message, Environment.TickCount64)
                        : null);
                    for (var i = 0; i < batch.Count; i++) batch[i].Complete(failures[i]);
                }
                catch (Exception e)
                {
                    Volatile.Write(ref _failure, new Failure(e.GetBaseException().Message, Environment.TickCount64));
                    foreach (var work in batch) work.Complete(e);
                    if (session.IsBroken)
                    {
                        // A connection the server closed stays closed: the next batch opens a new one.
                        await session.DisposeAsync().ConfigureAwait(false);
                        session = null;
                    }
                }
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The writer's connection with its prepared statements and the command it runs savepoints with.</summary>
    private sealed class Session(DbConnection connection) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = connection;
        public DatabaseStatements Statements { get; } = new(connection);
        public DbCommand Savepoint { get; } = connection.CreateCommand();

        /// <summary>Closed under the writer (PostgreSQL ended the session, the network dropped it); SQLite's errors
        /// (a busy database, a constraint) leave the connection open.</summary>
        public bool IsBroken => Connection.State != ConnectionState.Open;

        public static async Task<Session> OpenAsync(StorageDatabase database) =>
            new(await database.OpenAsync().ConfigureAwait(false));

        public async ValueTask DisposeAsync()
        {
            Savepoint.Dispose();
            Statements.Dispose();
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <returns>false when a unit failed without isolation: the transaction was rolled back and nothing was written.</returns>
    private static bool TryCommit(Session session, List<DatabaseWork> batch, Exception?[] failures, bool isolate)
    {
        var (statements, savepoint) = (session.Statements, session.Savepoint);
        using var transaction = session.Connection.BeginTransaction();
        statements.Transaction = transaction;
        savepoint.Transaction = transaction;
        for (var i = 0; i < batch.Count; i++)
        {
            var work = batch[i];
            if (work.CancellationToken.IsCancellationRequested)
            {
                failures[i] = new OperationCanceledException(work.CancellationToken);
                continue;
            }
            if (isolate)
            {
                failures[i] = RunIsolated(work, statements, savepoint);
                continue;
            }
            try
            {
                work.Execute(statements);
                failures[i] = null;
            }
            catch (Exception)
            {
                transaction.Rollback();
                return false;
            }
        }
        transaction.Commit();
        return true;
    }

    /// <summary>The failure of a transaction in which no unit could be written because the storage failed (a full disk,
    /// an I/O error, a read-only file): the database failing rather than a unit at fault. Null when something was written.</summary>
    private static Exception? NothingWritten(ReadOnlySpan<Exception?> failures)
    {
        Exception? first = null;
        foreach (var failure in failures)
        {
            if (failure is null) return null;
            if (IsStorageFailure(failure.GetBaseException())) first ??= failure;
        }
        return first;
    }

    private static bool IsStorageFailure(Exception e) => e switch
    {
        // SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
        SqliteException sqlite => sqlite.SqliteErrorCode is 8 or 10 or 13 or 14,
        // PostgreSQL's classes 53 (insufficient resources: disk full, out of memory) and 58 (system error: I/O)
        DbException { SqlState: ['5', '3', ..] or ['5', '8', ..] } => true,
        _ => false,
    };

    private sealed record Failure(string Reason, long AtMs);

    /// <summary>Runs one unit in its own savepoint, so that its failure rolls back only its own statements.</summary>
    private static Exception? RunIsolated(DatabaseWork work, DatabaseStatements statements, DbCommand savepoint)
    {
        savepoint.CommandText = "SAVEPOINT work";
        savepoint.ExecuteNonQuery();
        try
        {
            work.Execute(statements);
            savepoint.CommandText = "RELEASE work";
            savepoint.ExecuteNonQuery();
            return null;
        }
        catch (Exception e)
        {
            // Both dialects: ROLLBACK TO / RELEASE without the optional SAVEPOINT keyword.
            savepoint.CommandText = "ROLLBACK TO work; RELEASE work";
            savepoint.ExecuteNonQuery();
            return e;
        }
    }

    private sealed class Barrier : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements) { }
    }

    private void Release()
    {
        lock (Registry)
        {
            if (--_leases > 0) return;
            Writers.TryRemove(_database.ConnectionString, out _);
            _queue.Writer.TryComplete();
        }
        _loop.GetAwaiter().GetResult();
    }

    /// <summary>A user's hold on the writer. Dispose once: the writer closes after its last lease, once its queue is drained.</summary>
    public sealed class Lease(DatabaseWriter writer) : IDisposable
    {
        private int _disposed;
        public DatabaseWriter Writer { get; } = writer;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Writer.Release();
        }
    }
}
