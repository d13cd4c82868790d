using Microsoft.Data.Sqlite;

namespace Perf.Storage.Tests;

/// <summary>The shared group-committing writer of a database, on a real SQLite file.</summary>
public sealed class DatabaseWriterTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly StorageDatabase _database;

    public DatabaseWriterTests()
    {
        _database = _directory.CreateDatabase();
        Sql.Execute(_directory.File("perf.db"), "CREATE TABLE numbers (value INTEGER PRIMARY KEY)");
    }

    private sealed class Insert(int value) : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements)
        {
            var command = statements.Command("INSERT INTO numbers (value) VALUES (@v)", ("@v", System.Data.DbType.Int64));
            command.Parameters[0].Value = value;
            command.ExecuteNonQuery();
        }
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

    /// <summary>Records how many rows its own transaction sees, and how many another connection sees committed.</summary>
    private sealed class Probe(string path, List<(int Own, int Committed)> seen) : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements)
        {
            var own = Convert.ToInt32(statements.Command("SELECT count(*) FROM numbers").ExecuteScalar());
            seen.Add((own, (int)Sql.Scalar(path, "SELECT count(*) FROM numbers")));
        }
    }

    /// <summary>Runs one statement on the writer's connection (a per-connection PRAGMA).</summary>
    private sealed class Statement(string sql) : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements) => statements.Command(sql).ExecuteNonQuery();
    }

    private List<long> Numbers() => [.. Sql.Rows(_directory.File("perf.db"), "SELECT value FROM numbers ORDER BY value").Select(r => long.Parse(r[0]))];

    [Fact]
    public async Task A_connection_closed_under_the_writer_fails_its_batch_and_the_next_writes_get_a_new_one()
    {
        using var lease = DatabaseWriter.Acquire(_database);
        await lease.Writer.WriteAsync(new Insert(1));

        await Assert.ThrowsAnyAsync<Exception>(() => lease.Writer.WriteAsync(new CloseTheConnection()));
        await lease.Writer.WriteAsync(new Insert(2));
        await lease.Writer.WriteAsync(new Insert(3));

        Assert.Equal([1, 2, 3], Numbers());
    }

    [Fact]
    public async Task A_failing_unit_fails_alone_and_the_rest_of_its_transaction_commits()
    {
        using var lease = DatabaseWriter.Acquire(_database);
        var hold = await WriterHold.StartAsync(lease.Writer);
        var first = lease.Writer.WriteAsync(new Insert(1));
        var duplicate = lease.Writer.WriteAsync(new Insert(1)); // primary key violation
        var third = lease.Writer.WriteAsync(new Insert(3));

        await hold.ReleaseAsync();
        await first;
        await third;
        await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        Assert.Equal([1L, 3], Numbers());
    }

    [Fact]
    public async Task A_full_database_is_reported_until_a_write_commits_and_a_unit_at_fault_is_not()
    {
        using var lease = DatabaseWriter.Acquire(_database);
        var writer = lease.Writer;
        await writer.WriteAsync(new Insert(1));
        await Assert.ThrowsAsync<SqliteException>(() => writer.WriteAsync(new Insert(1))); // its own fault, not the database's
        Assert.Null(writer.FailingWithin(TimeSpan.FromMinutes(1)));

        // The file may not grow past its present size: SQLite answers SQLITE_FULL, as on a full disk.
        await writer.WriteAsync(new Statement("PRAGMA max_page_count = 1"));
        var full = await Assert.ThrowsAsync<SqliteException>(() =>
            writer.WriteAsync(new Statement("WITH RECURSIVE n(v) AS (SELECT 2 UNION ALL SELECT v + 1 FROM n WHERE v < 50000) INSERT INTO numbers (value) SELECT v FROM n")));
        Assert.Equal(13, full.SqliteErrorCode);
        Assert.Contains("full", writer.FailingWithin(TimeSpan.FromMinutes(1)));
        Assert.Null(writer.FailingWithin(TimeSpan.Zero)); // it lapses: an idle node becomes ready again

        await writer.WriteAsync(new Statement("PRAGMA max_page_count = 1073741823"));
        Assert.Null(writer.FailingWithin(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Writes_queued_while_a_transaction_commits_go_into_the_next_one_together()
    {
        using var lease = DatabaseWriter.Acquire(_database);
        var hold = await WriterHold.StartAsync(lease.Writer);
        var seen = new List<(int Own, int Committed)>();
        var writes = new List<Task>();
        for (var i = 1; i <= 100; i++) writes.Add(lease.Writer.WriteAsync(new Insert(i)));
        writes.Add(lease.Writer.WriteAsync(new Probe(_directory.File("perf.db"), seen)));

        await hold.ReleaseAsync();
        await Task.WhenAll(writes);

        // The probe's transaction holds all 100 inserts, and none had committed on its own before it.
        Assert.Equal([(100, 0)], seen);
        Assert.Equal(100, Numbers().Count);
    }

    [Fact]
    public async Task Flush_completes_after_everything_queued_before_it_and_cancelled_units_are_skipped()
    {
        using var lease = DatabaseWriter.Acquire(_database);
        var hold = await WriterHold.StartAsync(lease.Writer);
        using var cancelled = new CancellationTokenSource();
        var skipped = lease.Writer.WriteAsync(new Insert(7), cancelled.Token);
        var written = lease.Writer.WriteAsync(new Insert(8));
        cancelled.Cancel();
        var flush = lease.Writer.FlushAsync();
        Assert.False(flush.IsCompleted);

        await hold.ReleaseAsync();
        await flush;
        Assert.True(written.IsCompletedSuccessfully);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => skipped);
        Assert.Equal([8L], Numbers());
    }

    [Fact]
    public void One_database_has_one_fsync_policy()
    {
        using var lease = DatabaseWriter.Acquire(_database);
        Assert.Throws<InvalidOperationException>(() => DatabaseWriter.Acquire(StorageDatabase.Sqlite(_database.ConnectionString, "normal")));
        using var second = DatabaseWriter.Acquire(_database);
        Assert.Same(lease.Writer, second.Writer);
    }

    [Fact]
    public async Task After_the_last_lease_the_writer_refuses_work_with_a_faulted_task()
    {
        var first = DatabaseWriter.Acquire(_database);
        var second = DatabaseWriter.Acquire(_database);
        var writer = first.Writer;

        first.Dispose();
        await writer.WriteAsync(new Insert(1)); // the second lease keeps it open
        second.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(new Insert(2)));
        Assert.Equal([1L], Numbers());
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_fails_what_is_queued_and_refuses_what_comes()
    {
        // A directory where the file should be: SQLite cannot open it, and never will.
        var database = StorageDatabase.SqliteFile(_directory.Path);
        using var lease = DatabaseWriter.Acquire(database);

        await Assert.ThrowsAsync<SqliteException>(() => lease.Writer.WriteAsync(new Insert(1)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => lease.Writer.WriteAsync(new Insert(2)));
    }

    public void Dispose() => _directory.Dispose();
}
