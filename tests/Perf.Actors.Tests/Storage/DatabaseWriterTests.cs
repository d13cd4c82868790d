using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;

namespace Perf.Actors.Tests.Storage;

/// <summary>The shared writer of a database, on a real SQLite file.</summary>
public sealed class DatabaseWriterTests : IDisposable
{
    private readonly TestDatabase _db = new();

    private sealed class Insert(int value) : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements)
        {
            var command = statements.Command("INSERT INTO numbers (value) VALUES (@v)", ("@v", System.Data.DbType.Int64));
            command.Parameters[0].Value = value;
            command.ExecuteNonQuery();
        }
    }

    private sealed class Blocking(Task release) : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements) => release.Wait();
    }

    /// <summary>What a server ending the session (a restart, a failover) does to the writer's connection.</summary>
    private sealed class CloseTheConnection : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements)
        {
            var command = statements.Command("SELECT 1");
            command.Connection!.Close();
            command.ExecuteNonQuery();
        }
    }

    private async Task<List<long>> NumbersAsync()
    {
        await using var connection = new SqliteConnection(_db.Storage.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM numbers ORDER BY value";
        var values = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetInt64(0));
        return values;
    }

    public DatabaseWriterTests()
    {
        using var connection = new SqliteConnection(_db.Storage.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE numbers (value INTEGER PRIMARY KEY)";
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_connection_closed_under_the_writer_fails_its_batch_and_the_next_writes_get_a_new_one()
    {
        using var lease = DatabaseWriter.Acquire(_db.Storage.Series);
        await lease.Writer.WriteAsync(new Insert(1));

        await Assert.ThrowsAnyAsync<Exception>(() => lease.Writer.WriteAsync(new CloseTheConnection()));
        await lease.Writer.WriteAsync(new Insert(2));
        await lease.Writer.WriteAsync(new Insert(3));

        Assert.Equal([1, 2, 3], await NumbersAsync());
    }

    [Fact]
    public async Task A_failing_unit_fails_alone_and_the_rest_of_its_transaction_commits()
    {
        using var lease = DatabaseWriter.Acquire(_db.Storage.Series);
        // Hold the writer so that all of the following land in one transaction.
        var release = new TaskCompletionSource();
        var blocker = lease.Writer.WriteAsync(new Blocking(release.Task));
        var first = lease.Writer.WriteAsync(new Insert(1));
        var duplicate = lease.Writer.WriteAsync(new Insert(1)); // primary key violation
        var third = lease.Writer.WriteAsync(new Insert(3));
        release.SetResult();

        await blocker;
        await first;
        await third;
        await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        Assert.Equal([1L, 3], await NumbersAsync());
    }

    [Fact]
    public async Task Flush_completes_after_everything_queued_before_it_and_cancelled_units_are_skipped()
    {
        using var lease = DatabaseWriter.Acquire(_db.Storage.Series);
        var release = new TaskCompletionSource();
        var blocker = lease.Writer.WriteAsync(new Blocking(release.Task));
        using var cancelled = new CancellationTokenSource();
        var skipped = lease.Writer.WriteAsync(new Insert(7), cancelled.Token);
        var written = lease.Writer.WriteAsync(new Insert(8));
        cancelled.Cancel();
        var flush = lease.Writer.FlushAsync();
        Assert.False(flush.IsCompleted);
        release.SetResult();

        await flush;
        Assert.True(written.IsCompletedSuccessfully);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => skipped);
        await blocker;
        Assert.Equal([8L], await NumbersAsync());
    }

    [Fact]
    public void One_database_has_one_fsync_policy()
    {
        using var lease = DatabaseWriter.Acquire(_db.Storage.Series);
        Assert.Throws<InvalidOperationException>(() => DatabaseWriter.Acquire(SeriesDatabase.Sqlite(_db.Storage.ConnectionString, "normal")));
        using var second = DatabaseWriter.Acquire(_db.Storage.Series);
        Assert.Same(lease.Writer, second.Writer);
    }

    [Fact]
    public async Task After_the_last_lease_the_writer_refuses_work_with_a_faulted_task()
    {
        var lease = DatabaseWriter.Acquire(_db.Storage.Series);
        var writer = lease.Writer;
        lease.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(new Insert(1)));
    }

    public void Dispose() => _db.Dispose();
}
