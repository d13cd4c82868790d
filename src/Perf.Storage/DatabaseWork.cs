namespace Perf.Storage;

/// <summary>One unit of work for the <see cref="DatabaseWriter"/>: runs inside its transaction, on its thread.</summary>
/// <remarks>
/// A unit is told how it ended either through <see cref="Completion"/> (a task, made only when someone asks for it) or
/// through <see cref="Completed"/>: the write path's units use the latter, so a write costs no task and no continuation.
/// </remarks>
public abstract class DatabaseWork
{
    private TaskCompletionSource? _done;
    private int _state; // 0 running, 1 done
    private Exception? _error;

    /// <summary>Completes when the transaction that carried this unit has committed; fails when it failed.</summary>
    public Task Completion
    {
        get
        {
            var done = LazyInitializer.EnsureInitialized(ref _done, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            // Completed before anyone asked: settle the task now.
            if (Volatile.Read(ref _state) == 1) Settle(done, _error);
            return done.Task;
        }
    }

    internal CancellationToken CancellationToken { get; set; }

    public abstract void Execute(DatabaseStatements statements);

    /// <summary>
    /// Runs on the writer's thread once the transaction that carried this unit has committed, before it is told and
    /// before any later unit is: what must be true of every committed write (an index over its rows) is made so here, so
    /// that a reader who has awaited <see cref="DatabaseWriter.FlushAsync"/> sees it.
    /// </summary>
    protected virtual void Committed() { }

    /// <summary>Runs on the writer's thread when the unit is done: <paramref name="error"/> is null once it has committed.
    /// Must not block (the next transaction waits for it).</summary>
    protected virtual void Completed(Exception? error) { }

    internal void Complete(Exception? error)
    {
        if (error is null)
        {
            try
            {
                Committed();
            }
            catch (Exception e)
            {
                // The transaction is durable but what indexes it is not: the process is restarted and rebuilds it from the file.
                Environment.FailFast($"{GetType().Name} failed after its transaction committed", e);
            }
        }
        _error = error;
        Volatile.Write(ref _state, 1);
        Completed(error);
        if (Volatile.Read(ref _done) is { } done) Settle(done, error);
    }

    private static void Settle(TaskCompletionSource done, Exception? error)
    {
        if (error is null) done.TrySetResult();
        else if (error is OperationCanceledException cancelled) done.TrySetCanceled(cancelled.CancellationToken);
        else done.TrySetException(error);
    }
}
