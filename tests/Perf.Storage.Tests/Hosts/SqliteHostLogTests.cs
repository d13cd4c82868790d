using Perf.Storage.Chunks;
using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>
/// The host log on a real SQLite file: what a host reads back, across restarts, maintenance, a graceful stop and a
/// build that does not know the recorded cut.
/// </summary>
public sealed class SqliteHostLogTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly StorageDatabase _database;
    private readonly string _path;
    private readonly List<DatabaseWriter.Lease> _leases = [];
    private readonly List<SqliteHostLog> _logs = [];

    public SqliteHostLogTests()
    {
        _database = _directory.CreateDatabase();
        _path = _directory.File("perf.db");
    }

    private SqliteHostLog Open(TimeSpan? maintenanceInterval = null, long compactionSlack = 100_000, StorageDatabase? database = null)
    {
        var lease = DatabaseWriter.Acquire(database ?? _database);
        _leases.Add(lease);
        var log = new SqliteHostLog(database ?? _database, lease.Writer, maintenanceInterval, compactionSlack);
        _logs.Add(log);
        return log;
    }

    /// <summary>What a node restart does to the log: the index is gone and rebuilt from the file.</summary>
    private SqliteHostLog Reopen(TimeSpan? maintenanceInterval = null, long compactionSlack = 100_000)
    {
        Close();
        return Open(maintenanceInterval, compactionSlack);
    }

    private void Close()
    {
        // A log's start-up scan runs in the background: let it end before its writer closes.
        foreach (var log in _logs) ((IAsyncResult)log.Loaded).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30));
        foreach (var lease in _leases) lease.Dispose();
        _leases.Clear();
        _logs.Clear();
    }

    private static HostWrite Write(string host, long sequenceNr, byte payload = 0) => new(host, sequenceNr, [payload == 0 ? (byte)sequenceNr : payload]);

    private static async Task<List<(long SequenceNr, byte Payload)>> ReadAsync(SqliteHostLog log, string host, long after = 0) =>
        [.. (await log.ReadAsync(host, after)).Select(r => (r.SequenceNr, Assert.Single(r.Payload)))];

    /// <summary>The log's rows of hosts, without the row that marks the recorded cut.</summary>
    private long HostRowCount() => Sql.Scalar(_path, $"SELECT count(*) FROM host_log WHERE host <> '{SqliteHostLog.CutMarkerId}'");

    /// <summary>As a host does when it snapshots (the log reads only the sequence number).</summary>
    private void StoreSnapshot(string host, long sequenceNr) =>
        Sql.Execute(_path, "INSERT INTO host_snapshots (host, sequence_nr, created_ms, payload) VALUES (@host, @seq, 0, @payload)",
            ("@host", host), ("@seq", sequenceNr), ("@payload", HostSnapshotCodec.Encode([])));

    [Fact]
    public async Task Each_host_reads_its_own_records_in_order_from_a_position_interleaved_log_before_and_after_a_restart()
    {
        var log = Open();
        for (var seq = 1; seq <= 5; seq++)
        foreach (var host in new[] { "web-1", "web-2", "db-1" })
            await log.AppendAsync(Write(host, seq));
        await log.AppendAsync(Write("web-1", 6));

        await AssertRecordsAsync(log);
        await AssertRecordsAsync(Reopen());

        static async Task AssertRecordsAsync(SqliteHostLog current)
        {
            Assert.Equal([(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)], await ReadAsync(current, "web-1"));
            Assert.Equal([(3L, (byte)3), (4, 4), (5, 5)], await ReadAsync(current, "web-2", after: 2));
            Assert.Empty(await ReadAsync(current, "web-2", after: 5));
            Assert.Equal(6, await current.ReadHighestSequenceNrAsync("web-1", 0));
            Assert.Equal(5, await current.ReadHighestSequenceNrAsync("db-1", 0));
            Assert.Equal(9, await current.ReadHighestSequenceNrAsync("db-1", 9)); // never below the snapshot's
            Assert.Empty(await ReadAsync(current, "unknown"));
            Assert.Equal(0, await current.ReadHighestSequenceNrAsync("unknown", 0));
        }
    }

    [Fact]
    public async Task A_sequence_number_written_twice_is_refused_and_the_first_record_stays()
    {
        var log = Open();
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-1", 2));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync(Write("web-1", 2, payload: 99)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync(Write("web-1", 1, payload: 99))); // below the highest too

        Assert.Contains("web-1 already has record 2", refused.Message);
        Assert.Equal([(1, 1), (2, 2)], await ReadAsync(log, "web-1"));
        Assert.Equal(2, HostRowCount());
        Assert.Equal([(1, 1), (2, 2)], await ReadAsync(Reopen(), "web-1"));
    }

    [Fact]
    public async Task A_second_writer_in_the_same_group_commit_is_refused_and_the_first_record_stays()
    {
        // Two writers of one host whose writes queue up behind the same transaction: the second must fail, not be
        // acknowledged and then shadow (or be shadowed by) the first.
        var log = Open();
        await log.Loaded;
        using var lease = DatabaseWriter.Acquire(_database);
        var hold = await WriterHold.StartAsync(lease.Writer); // the three appends go into the next transaction together
        var first = log.AppendAsync(Write("web-1", 1, payload: 11));
        var second = log.AppendAsync(Write("web-1", 1, payload: 22));
        var other = log.AppendAsync(Write("web-2", 1, payload: 33));

        await hold.ReleaseAsync();
        await first;
        await other;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second);

        Assert.Contains("web-1 already has record 1", refused.Message);
        Assert.Equal([(1, 11)], await ReadAsync(log, "web-1"));
        Assert.Equal([(1, 33)], await ReadAsync(log, "web-2"));
        Assert.Equal(2, HostRowCount());
        Assert.Equal([(1, 11)], await ReadAsync(Reopen(), "web-1"));
    }

    [Fact]
    public async Task A_sequence_number_without_a_record_is_a_gap_in_the_read_and_the_records_around_it_are_kept()
    {
        // A write that failed leaves its sequence number unused; the host goes on after it.
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-1", 2));
        await log.AppendAsync(Write("web-1", 5));

        Assert.Equal([(1, 1), (2, 2), (5, 5)], await ReadAsync(log, "web-1"));
        Assert.Equal([(5, 5)], await ReadAsync(log, "web-1", after: 2));
        await log.DeleteToAsync("web-1", 3);
        Assert.Equal([(5, 5)], await ReadAsync(log, "web-1"));
        Assert.Equal(1, HostRowCount());
        Assert.Equal([(5, 5)], await ReadAsync(Reopen(), "web-1"));
    }

    [Fact]
    public async Task Records_a_snapshot_covers_are_not_read_and_the_log_is_cut_below_the_oldest_live_record()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        for (var seq = 1; seq <= 10; seq++)
        {
            await log.AppendAsync(Write("web-1", seq));
            await log.AppendAsync(Write("web-2", seq));
        }

        await log.DeleteToAsync("web-1", 10);
        await log.DeleteToAsync("web-2", 4);

        // web-2's record 5 is the oldest live one: every row before it (web-1's first five, web-2's first four) is gone.
        Assert.Equal(20 - 9, HostRowCount());
        Assert.Empty(await ReadAsync(log, "web-1"));
        Assert.Equal(10, await log.ReadHighestSequenceNrAsync("web-1", 10));
        Assert.Equal([(5, 5), (6, 6), (7, 7), (8, 8), (9, 9), (10, 10)], await ReadAsync(log, "web-2"));

        await log.DeleteToAsync("web-2", 10);
        Assert.Equal(0, HostRowCount());

        // The next records continue after the cut, and a restart finds them.
        await log.AppendAsync(Write("web-1", 11));
        Assert.Equal([(11, 11)], await ReadAsync(Reopen(), "web-1", after: 10));
    }

    [Fact]
    public async Task After_a_restart_records_at_or_below_a_host_snapshot_are_dead()
    {
        var log = Open();
        for (var seq = 1; seq <= 4; seq++) await log.AppendAsync(Write("web-1", seq));
        StoreSnapshot("web-1", 3);

        var restarted = Reopen(maintenanceInterval: TimeSpan.Zero);

        Assert.Equal([(4, 4)], await ReadAsync(restarted, "web-1"));
        Assert.Equal(4, await restarted.ReadHighestSequenceNrAsync("web-1", 3));
        await restarted.DeleteToAsync("other", 1); // any delete runs the maintenance
        Assert.Equal(1, HostRowCount());
    }

    [Fact]
    public async Task A_restart_scans_the_log_from_the_recorded_cut_so_dead_rows_not_yet_deleted_are_not_read()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        for (var seq = 1; seq <= 3; seq++) await log.AppendAsync(Write("web-1", seq));
        await log.AppendAsync(Write("web-2", 1));
        await log.DeleteToAsync("web-1", 3); // everything below web-2's row (position 4) is dead
        Assert.Equal(4, Sql.Scalar(_path, "SELECT below FROM host_log_cut"));
        // A dead row that a bounded maintenance pass has not deleted yet, as after a crash: the scan must not take it for live.
        Sql.Execute(_path, "INSERT INTO host_log (position, host, sequence_nr, payload) VALUES (2, 'ghost', 1, X'01')");

        var restarted = Reopen();
        await restarted.Loaded;

        Assert.Empty(await ReadAsync(restarted, "ghost"));
        Assert.Equal(0, await restarted.ReadHighestSequenceNrAsync("ghost", 0));
        Assert.Equal([(1, 1)], await ReadAsync(restarted, "web-2"));
        Assert.Equal("1 of about 1 rows of the host log scanned", restarted.LoadProgress);
    }

    [Fact]
    public async Task A_graceful_stop_records_the_dead_log_so_the_next_start_reads_only_the_live_rows()
    {
        var log = Open(maintenanceInterval: TimeSpan.FromHours(1)); // no maintenance pass records anything meanwhile
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-1", 2));
        await log.AppendAsync(Write("web-2", 1));
        await log.AppendAsync(Write("web-2", 2));
        await log.AppendAsync(Write("web-1", 3));
        // As the hosts do when they stop: snapshot, then drop the records below the snapshot.
        StoreSnapshot("web-1", 3);
        StoreSnapshot("web-2", 1);
        await log.DeleteToAsync("web-1", 3);
        await log.DeleteToAsync("web-2", 1);
        Assert.Equal(0, Sql.Scalar(_path, "SELECT count(*) FROM host_log_cut"));

        await log.StoppingAsync();

        Assert.Equal(4, Sql.Scalar(_path, "SELECT below FROM host_log_cut")); // web-2's record 2
        Assert.Equal(4, HostRowCount()); // recorded, not deleted (the marker took dead row 3's place): the next start's maintenance deletes
        var restarted = Reopen();
        Assert.Equal([(2, 2)], await ReadAsync(restarted, "web-2"));
        Assert.Empty(await ReadAsync(restarted, "web-1"));
        Assert.Equal(3, await restarted.ReadHighestSequenceNrAsync("web-1", 3));
        Assert.Equal(2, await restarted.ReadHighestSequenceNrAsync("web-2", 1));
        Assert.Equal("2 of about 2 rows of the host log scanned", restarted.LoadProgress);
    }

    [Fact]
    public async Task A_graceful_stop_with_every_record_live_loses_none_of_them()
    {
        var log = Open(maintenanceInterval: TimeSpan.FromHours(1));
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-2", 1));

        await log.StoppingAsync();

        var restarted = Reopen();
        Assert.Equal([(1, 1)], await ReadAsync(restarted, "web-1"));
        Assert.Equal([(1, 1)], await ReadAsync(restarted, "web-2"));
        Assert.Equal("2 of about 2 rows of the host log scanned", restarted.LoadProgress);
    }

    [Fact]
    public async Task Records_written_after_a_restart_on_a_fully_cut_log_go_after_the_cut_and_are_found_by_the_next_start()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-1", 2));
        StoreSnapshot("web-1", 2);
        await log.DeleteToAsync("web-1", 2);
        Assert.Equal(0, HostRowCount());

        // The file holds no record any more: only the recorded cut says where the log ended.
        await Reopen().AppendAsync(Write("web-1", 3));
        Assert.Equal(3, Sql.Scalar(_path, "SELECT position FROM host_log WHERE sequence_nr = 3"));

        var restarted = Reopen();
        Assert.Equal([(3, 3)], await ReadAsync(restarted, "web-1"));
        Assert.Equal(3, await restarted.ReadHighestSequenceNrAsync("web-1", 2));
    }

    [Fact]
    public async Task A_build_that_does_not_know_the_cut_appends_above_it_and_a_cut_without_its_marker_row_is_not_trusted()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-1", 2));
        StoreSnapshot("web-1", 2);
        await log.DeleteToAsync("web-1", 2);
        Assert.Equal(0, HostRowCount());
        // The marker row keeps the log's highest position just below the cut: a build that does not know the cut
        // appends at the highest position + 1, so above the cut, where this build's scan finds it.
        Assert.Equal(Sql.Scalar(_path, "SELECT below FROM host_log_cut") - 1, Sql.Scalar(_path, "SELECT max(position) FROM host_log"));

        // Such a build cut the log below its own oldest row, deleting the marker, then wrote on an empty log.
        Sql.Execute(_path, $"DELETE FROM host_log WHERE host = '{SqliteHostLog.CutMarkerId}'");
        Sql.Execute(_path, "INSERT INTO host_log (position, host, sequence_nr, payload) VALUES (1, 'web-1', 3, X'03')");

        Assert.Equal([(3, 3)], await ReadAsync(Reopen(), "web-1"));
    }

    [Fact]
    public async Task A_host_that_rarely_writes_has_its_rows_moved_forward_so_the_dead_log_behind_it_is_cut()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero, compactionSlack: 10);
        await log.AppendAsync(Write("laggard", 1));
        await log.AppendAsync(Write("laggard", 2));
        for (var seq = 1; seq <= 200; seq++) await log.AppendAsync(Write("busy", seq));

        await log.DeleteToAsync("busy", 200); // the laggard's rows are copied to the end of the log
        await log.DeleteToAsync("busy", 200); // and what lies before them is cut

        Assert.Equal(2, HostRowCount());
        // The copies, after the 202 rows that were cut.
        Assert.Equal(203, Sql.Scalar(_path, $"SELECT min(position) FROM host_log WHERE host <> '{SqliteHostLog.CutMarkerId}'"));
        Assert.Equal([(1, 1), (2, 2)], await ReadAsync(log, "laggard"));
        Assert.Equal([(1, 1), (2, 2)], await ReadAsync(Reopen(), "laggard"));
    }

    [Fact]
    public async Task A_row_found_twice_after_a_crash_between_its_move_and_the_cut_is_read_once_from_its_newer_copy()
    {
        var log = Open();
        await log.AppendAsync(Write("web-1", 1));
        await log.AppendAsync(Write("web-1", 2));
        await log.AppendAsync(Write("web-2", 1));
        Sql.Execute(_path, "INSERT INTO host_log (position, host, sequence_nr, payload) VALUES (1000, 'web-1', 1, X'63')");

        var restarted = Reopen();

        Assert.Equal([(1, 0x63), (2, 2)], await ReadAsync(restarted, "web-1"));
        await restarted.AppendAsync(Write("web-1", 3));
        Assert.Equal(1001, Sql.Scalar(_path, "SELECT position FROM host_log WHERE host = 'web-1' AND sequence_nr = 3"));
    }

    [Fact]
    public async Task A_record_stores_the_chunks_it_seals_in_its_own_transaction()
    {
        var log = Open();
        var chunk = new StoredChunk("web-1/cpu.usage", 0, 1_000, 2_000, 2, [7], Fence: 1);

        await log.AppendAsync(new HostWrite("web-1", 1, [1], [chunk]));
        // Refused before anything is written: the chunk of a second writer does not replace the first's.
        await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync(new HostWrite("web-1", 1, [2], [chunk with { Data = [8] }])));

        Assert.Equal([(1, 1)], await ReadAsync(log, "web-1"));
        Assert.Equal([["web-1/cpu.usage", "0", "x'07'", "1"]], Sql.Rows(_path, "SELECT series_id, sequence, data, fence FROM series_chunks"));
    }

    [Fact]
    public async Task The_log_says_it_is_loaded_once_its_rows_have_been_scanned()
    {
        var log = Open();
        await log.AppendAsync(Write("web-1", 1));

        var restarted = Reopen();
        await restarted.Loaded.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(restarted.Loaded.IsCompletedSuccessfully);
        Assert.Equal("1 of about 1 rows of the host log scanned", restarted.LoadProgress);
    }

    [Fact]
    public async Task A_log_whose_table_cannot_be_read_is_not_loaded_says_why_and_refuses_writes()
    {
        // A host log table this version cannot read (no sequence_nr column): the scan fails.
        var path = _directory.CreateFile("broken.db", "CREATE TABLE host_log (position INTEGER PRIMARY KEY, host TEXT NOT NULL)");
        var database = StorageDatabase.SqliteFile(path);
        database.CreateSchema();
        var log = Open(database: database);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => log.Loaded.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(log.Loaded.IsFaulted);
        Assert.Contains("sequence_nr", failure.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => log.AppendAsync(Write("web-1", 1)));
        await Assert.ThrowsAnyAsync<Exception>(() => log.ReadAsync("web-1", 0));
    }

    public void Dispose()
    {
        Close();
        _directory.Dispose();
    }
}
