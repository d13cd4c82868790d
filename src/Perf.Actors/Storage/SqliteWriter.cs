using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Perf.Actors.Storage;

/// <summary>
/// The one writer of a SQLite database. Every write of the node's hot path (series journal rows, series snapshots,
/// sealed chunks) is queued here, and whatever queued up while a transaction was committing goes into the next one:
/// group commit across all series and all kinds of write, through one connection with prepared statements. SQLite
/// admits one writer at a time anyway; funnelling the writes avoids lock contention and the cost of a commit per write.
/// Shared per database and reference counted: <see cref="Acquire"/> it, dispose the lease when done.
/// </summary>
public sealed class SqliteWriter
{
    private const int MaxWorkPerTransaction = 4096;
    private static readonly ConcurrentDictionary<string, SqliteWriter> Writers = new();
    private static readonly Lock Registry = new();

    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly Channel<SqliteWork> _queue = Channel.CreateUnbounded<SqliteWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private int _leases;

    private SqliteWriter(string connectionString, string synchronous)
    {
        _connectionString = connectionString;
        _synchronous = synchronous is "normal" or "full" ? synchronous : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full");
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>A lease on the writer of this database, created on first use; the last lease disposed closes it.</summary>
    public static Lease Acquire(string connectionString, string synchronous)
    {
        lock (Registry)
        {
            var writer = Writers.GetOrAdd(connectionString, cs => new SqliteWriter(cs, synchronous));
            if (writer._synchronous != synchronous)
                throw new InvalidOperationException($"The database writer runs with synchronous = {writer._synchronous}, not {synchronous}");
            writer._leases++;
            return new Lease(writer);
        }
    }

    /// <summary>
    /// Queues a unit of work; the task completes when the transaction that carried it has committed. A unit that throws
    /// fails alone (it runs inside its own savepoint); one whose token is cancelled before its turn is skipped.
    /// </summary>
    public Task WriteAsync(SqliteWork work, CancellationToken cancellationToken = default)
    {
        work.CancellationToken = cancellationToken;
        return _queue.Writer.TryWrite(work)
            ? work.Completion
            : Task.FromException(new ObjectDisposedException(nameof(SqliteWriter), "the database writer is closed"));
    }

    /// <summary>Completes once everything queued before it has committed: readers that must see all acknowledged and
    /// in-flight writes (a recovering actor reading its highest sequence number) wait for this first.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => WriteAsync(new Barrier(), cancellationToken);

    /// <summary>Opens a connection with the node's per-connection settings (for reads).</summary>
    public static async Task<SqliteConnection> OpenAsync(string connectionString, string synchronous, CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = ConnectionPragmas(synchronous);
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Per-connection settings of every connection to the node's database (ours and Akka.Persistence.Sql's).
    /// SQLite's own busy handler waits in steps of a few milliseconds when another connection holds the write lock;
    /// without it the driver's retry loop sleeps far longer between attempts and writes stall in bursts.
    /// </summary>
    public static string ConnectionPragmas(string synchronous) => synchronous is "normal" or "full"
        ? $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 30000;"
        : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full");

    private async Task LoopAsync()
    {
        SqliteConnection connection;
        try
        {
            connection = await OpenAsync(_connectionString, _synchronous).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nothing could ever be written: fail what is queued and refuse what comes.
            _queue.Writer.TryComplete(e);
            while (_queue.Reader.TryRead(out var queued)) queued.Complete(e);
            return;
        }
        await using (connection)
        {
            using var statements = new SqliteStatements(connection);
            using var savepoint = connection.CreateCommand();
            var batch = new List<SqliteWork>();
            var failures = new Exception?[MaxWorkPerTransaction];
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxWorkPerTransaction && _queue.Reader.TryRead(out var next)) batch.Add(next);
                try
                {
                    // Optimistically all in one transaction; only when that fails, again with a savepoint per unit, so
                    // that the unit at fault fails alone (savepoints cost statements on every write, failures are rare).
                    if (!TryCommit(connection, statements, savepoint, batch, failures, isolate: false))
                        TryCommit(connection, statements, savepoint, batch, failures, isolate: true);
                    for (var i = 0; i < batch.Count; i++) batch[i].Complete(failures[i]);
                }
                catch (Exception e)
                {
                    foreach (var work in batch) work.Complete(e);
                }
            }
        }
    }

    /// <returns>false when a unit failed without isolation: the transaction was rolled back and nothing was written.</returns>
    private static bool TryCommit(SqliteConnection connection, SqliteStatements statements, SqliteCommand savepoint,
        List<SqliteWork> batch, Exception?[] failures, bool isolate)
    {
        using var transaction = connection.BeginTransaction();
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

    /// <summary>Runs one unit in its own savepoint, so that its failure rolls back only its own statements.</summary>
    private static Exception? RunIsolated(SqliteWork work, SqliteStatements statements, SqliteCommand savepoint)
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
            savepoint.CommandText = "ROLLBACK TO work; RELEASE work";
            savepoint.ExecuteNonQuery();
            return e;
        }
    }

    private sealed class Barrier : SqliteWork
    {
        public override void Execute(SqliteStatements statements) { }
    }

    private void Release()
    {
        lock (Registry)
        {
            if (--_leases > 0) return;
            Writers.TryRemove(_connectionString, out _);
            _queue.Writer.TryComplete();
        }
        _loop.GetAwaiter().GetResult();
    }

    /// <summary>A user's hold on the writer. Dispose once: the writer closes after its last lease, once its queue is drained.</summary>
    public sealed class Lease(SqliteWriter writer) : IDisposable
    {
        private int _disposed;
        public SqliteWriter Writer { get; } = writer;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Writer.Release();
        }
    }
}

/// <summary>One unit of work for the <see cref="SqliteWriter"/>: runs inside its transaction, on its thread.</summary>
public abstract class SqliteWork
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _done.Task;

    internal CancellationToken CancellationToken { get; set; }

    public abstract void Execute(SqliteStatements statements);

    internal void Complete(Exception? error)
    {
        if (error is null) _done.TrySetResult();
        else if (error is OperationCanceledException cancelled) _done.TrySetCanceled(cancelled.CancellationToken);
        else _done.TrySetException(error);
    }
}

/// <summary>The writer's connection with its prepared statements, cached by SQL text.</summary>
public sealed class SqliteStatements(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    internal SqliteTransaction? Transaction { get; set; }

    /// <summary>The prepared command for <paramref name="sql"/>, with parameters named and typed on first use.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, SqliteType Type)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
    }
}
