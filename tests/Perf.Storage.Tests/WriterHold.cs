namespace Perf.Storage.Tests;

/// <summary>
/// Holds a database writer's thread inside a transaction until released: whatever is queued meanwhile goes into the
/// next transaction, all of it (a group commit a test can count on).
/// </summary>
public sealed class WriterHold : DatabaseWork
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _written = Task.CompletedTask;

    private WriterHold()
    {
    }

    /// <summary>Completes once the writer is held (or fails if the writer failed the hold instead of running it).</summary>
    public static async Task<WriterHold> StartAsync(DatabaseWriter writer)
    {
        var hold = new WriterHold();
        hold._written = writer.WriteAsync(hold);
        await Task.WhenAny(hold._started.Task, hold._written);
        if (hold._written.IsFaulted) await hold._written;
        return hold;
    }

    public override void Execute(DatabaseStatements statements)
    {
        _started.TrySetResult();
        _release.Task.Wait();
    }

    /// <summary>Lets the writer go on; completes once the hold's own transaction has committed.</summary>
    public Task ReleaseAsync()
    {
        _release.TrySetResult();
        return _written;
    }
}
