using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;

namespace Perf.Actors.Tests.Storage;

/// <summary>The series journal's log on a real SQLite file: what a series reads back, across restarts, maintenance and an old layout.</summary>
public sealed class JournalLogTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly List<PluginDatabase> _opened = [];

    private JournalLog Open(TimeSpan? maintenanceInterval = null, long compactionSlack = 100_000)
    {
        var database = new PluginDatabase(PluginDatabase.PluginConfig(_db.Storage.Series).GetConfig(SeriesJournal.PluginId), SeriesJournal.PluginId);
        _opened.Add(database);
        return new JournalLog(database, maintenanceInterval, compactionSlack);
    }

    /// <summary>What a node restart does to the log: the index is gone and rebuilt from the file.</summary>
    private JournalLog Reopen(TimeSpan? maintenanceInterval = null, long compactionSlack = 100_000)
    {
        foreach (var database in _opened) database.Dispose();
        _opened.Clear();
        return Open(maintenanceInterval, compactionSlack);
    }

    private static SeriesJournal.Row Row(string id, long sequenceNr, byte payload = 0) => new(id, sequenceNr, 7, "SPR", [payload == 0 ? (byte)sequenceNr : payload]);

    private static async Task<List<(long SequenceNr, byte Payload)>> ReplayAsync(JournalLog log, string id, long from = 1, long max = long.MaxValue)
    {
        var rows = new List<(long, byte)>();
        await log.ReplayAsync(id, from, long.MaxValue, max, row => rows.Add((row.SequenceNr, row.Payload[0])));
        return rows;
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection(_db.Storage.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    /// <summary>The log's rows of series, without the row that marks the recorded cut.</summary>
    private long SeriesRowCount() => Scalar($"SELECT count(*) FROM series_journal WHERE persistence_id <> '{JournalLog.CutMarkerId}'");

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(_db.Storage.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task Each_series_replays_its_own_rows_in_order_from_a_position_interleaved_log_before_and_after_a_restart()
    {
        var log = Open();
        for (var seq = 1; seq <= 5; seq++)
            await log.AppendAsync([Row("series-a", seq), Row("series-b", seq), Row("series-c", seq)], CancellationToken.None);
        await log.AppendAsync([Row("series-a", 6)], CancellationToken.None);

        await AssertRowsAsync(log);
        await AssertRowsAsync(Reopen());

        static async Task AssertRowsAsync(JournalLog current)
        {
            Assert.Equal([(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)], await ReplayAsync(current, "series-a"));
            Assert.Equal([(3L, (byte)3), (4, 4)], await ReplayAsync(current, "series-b", from: 3, max: 2));
            Assert.Equal(6, await current.ReadHighestSequenceNrAsync("series-a", 0, CancellationToken.None));
            Assert.Equal(5, await current.ReadHighestSequenceNrAsync("series-c", 0, CancellationToken.None));
            Assert.Empty(await ReplayAsync(current, "series-unknown"));
            Assert.Equal(0, await current.ReadHighestSequenceNrAsync("series-unknown", 0, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_sequence_number_written_twice_is_refused_and_the_first_row_stays()
    {
        var log = Open();
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2)], CancellationToken.None);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendAsync([Row("series-a", 2, payload: 99)], CancellationToken.None));

        Assert.Contains("series-a already has sequence number 2", refused.Message);
        Assert.Equal([(1, 1), (2, 2)], await ReplayAsync(log, "series-a"));
        Assert.Equal(2, SeriesRowCount());
    }

    [Fact]
    public async Task A_sequence_number_without_a_row_is_skipped_in_replay_and_the_rows_around_it_are_kept()
    {
        // A write the journal failed leaves its sequence numbers unused; the series goes on after them.
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2)], CancellationToken.None);
        await log.AppendAsync([Row("series-a", 5)], CancellationToken.None);

        Assert.Equal([(1, 1), (2, 2), (5, 5)], await ReplayAsync(log, "series-a"));
        await log.DeleteToAsync("series-a", 3);
        Assert.Equal([(5, 5)], await ReplayAsync(log, "series-a"));
        Assert.Equal(1, SeriesRowCount());
        Assert.Equal([(5, 5)], await ReplayAsync(Reopen(), "series-a"));
    }

    [Fact]
    public async Task Rows_a_snapshot_covers_are_not_replayed_and_the_log_is_cut_below_the_oldest_live_row()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        for (var seq = 1; seq <= 10; seq++) await log.AppendAsync([Row("series-a", seq), Row("series-b", seq)], CancellationToken.None);

        await log.DeleteToAsync("series-a", 10);
        await log.DeleteToAsync("series-b", 4);

        // series-b's row 5 is the oldest live one: every row before it (a's first five, b's first four) is gone.
        Assert.Equal(20 - 9, SeriesRowCount());
        Assert.Empty(await ReplayAsync(log, "series-a"));
        Assert.Equal(10, await log.ReadHighestSequenceNrAsync("series-a", 10, CancellationToken.None));
        Assert.Equal([(5, 5), (6, 6), (7, 7), (8, 8), (9, 9), (10, 10)], await ReplayAsync(log, "series-b", from: 5));

        await log.DeleteToAsync("series-b", 10);
        Assert.Equal(0, SeriesRowCount());

        // The next rows continue after the cut, and a restart finds them.
        await log.AppendAsync([Row("series-a", 11)], CancellationToken.None);
        Assert.Equal([(11, 11)], await ReplayAsync(Reopen(), "series-a", from: 11));
    }

    [Fact]
    public async Task After_a_restart_rows_at_or_below_a_series_snapshot_are_dead()
    {
        var log = Open();
        for (var seq = 1; seq <= 4; seq++) await log.AppendAsync([Row("series-a", seq)], CancellationToken.None);
        Execute("INSERT INTO series_snapshot VALUES ('series-a', 3, 0, 7, 'S', X'00')");

        var restarted = Reopen(maintenanceInterval: TimeSpan.Zero);

        Assert.Equal([(4, 4)], await ReplayAsync(restarted, "series-a"));
        await restarted.DeleteToAsync("series-other", 1); // any delete runs the maintenance
        Assert.Equal(1, SeriesRowCount());
    }

    [Fact]
    public async Task A_restart_scans_the_log_from_the_recorded_cut_so_dead_rows_not_yet_deleted_are_not_read()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2), Row("series-a", 3)], CancellationToken.None);
        await log.AppendAsync([Row("series-b", 1)], CancellationToken.None);
        await log.DeleteToAsync("series-a", 3); // everything below series-b's row (position 4) is dead
        Assert.Equal(4, Scalar("SELECT below FROM series_journal_cut"));
        // A dead row that a bounded maintenance pass has not deleted yet, as after a crash: the scan must not take it for live.
        Execute("INSERT INTO series_journal (position, persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES (2, 'series-ghost', 1, 7, 'SPR', X'01')");

        var restarted = Reopen();
        await restarted.Loaded;

        Assert.Empty(await ReplayAsync(restarted, "series-ghost"));
        Assert.Equal(0, await restarted.ReadHighestSequenceNrAsync("series-ghost", 0, CancellationToken.None));
        Assert.Equal([(1, 1)], await ReplayAsync(restarted, "series-b"));
        Assert.Equal("1 of about 1 rows of the series journal scanned", restarted.LoadProgress);
    }

    [Fact]
    public async Task A_graceful_stop_records_the_dead_log_so_the_next_start_reads_only_the_live_rows()
    {
        var log = Open(maintenanceInterval: TimeSpan.FromHours(1)); // no maintenance pass records anything meanwhile
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2), Row("series-b", 1)], CancellationToken.None);
        await log.AppendAsync([Row("series-b", 2), Row("series-a", 3)], CancellationToken.None);
        // As the series do when they stop: snapshot, then delete the journal below the snapshot.
        Execute("INSERT INTO series_snapshot VALUES ('series-a', 3, 0, 7, 'S', X'00'), ('series-b', 1, 0, 7, 'S', X'00')");
        await log.DeleteToAsync("series-a", 3);
        await log.DeleteToAsync("series-b", 1);
        Assert.Equal(0, Scalar("SELECT count(*) FROM series_journal_cut"));

        await log.StoppingAsync();

        Assert.Equal(4, Scalar("SELECT below FROM series_journal_cut")); // series-b's row 2
        Assert.Equal(4, SeriesRowCount()); // recorded, not deleted (the marker took dead row 3's place): the next start's maintenance deletes
        var restarted = Reopen();
        Assert.Equal([(2, 2)], await ReplayAsync(restarted, "series-b"));
        Assert.Empty(await ReplayAsync(restarted, "series-a"));
        Assert.Equal(3, await restarted.ReadHighestSequenceNrAsync("series-a", 3, CancellationToken.None));
        Assert.Equal(2, await restarted.ReadHighestSequenceNrAsync("series-b", 1, CancellationToken.None));
        Assert.Equal("2 of about 2 rows of the series journal scanned", restarted.LoadProgress);
    }

    [Fact]
    public async Task Rows_written_after_a_restart_on_a_fully_cut_log_go_after_the_cut_and_are_found_by_the_next_start()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2)], CancellationToken.None);
        await log.DeleteToAsync("series-a", 2);
        Assert.Equal(0, SeriesRowCount());
        Execute("INSERT INTO series_snapshot VALUES ('series-a', 2, 0, 7, 'S', X'00')");

        // The file holds no row any more: only the recorded cut says where the log ended.
        await Reopen().AppendAsync([Row("series-a", 3)], CancellationToken.None);
        Assert.Equal(3, Scalar("SELECT position FROM series_journal WHERE sequence_nr = 3"));

        Assert.Equal([(3, 3)], await ReplayAsync(Reopen(), "series-a"));
    }

    [Fact]
    public async Task A_build_that_does_not_know_the_cut_appends_above_it_and_a_cut_without_its_marker_row_is_not_trusted()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero);
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2)], CancellationToken.None);
        Execute("INSERT INTO series_snapshot VALUES ('series-a', 2, 0, 7, 'S', X'00')");
        await log.DeleteToAsync("series-a", 2);
        Assert.Equal(0, SeriesRowCount());
        // The marker row keeps the log's highest position just below the cut: an earlier build appends at the highest
        // position + 1, so above the cut, where this build's scan finds it.
        Assert.Equal(Scalar("SELECT below FROM series_journal_cut") - 1, Scalar("SELECT max(position) FROM series_journal"));

        // An earlier build that cut the log below its own oldest row deleted the marker, then wrote on an empty log.
        Execute($"DELETE FROM series_journal WHERE persistence_id = '{JournalLog.CutMarkerId}'");
        Execute("INSERT INTO series_journal (position, persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES (1, 'series-a', 3, 7, 'SPR', X'03')");

        Assert.Equal([(3, 3)], await ReplayAsync(Reopen(), "series-a"));
    }

    [Fact]
    public async Task A_series_that_rarely_writes_has_its_rows_moved_forward_so_the_dead_log_behind_it_is_cut()
    {
        var log = Open(maintenanceInterval: TimeSpan.Zero, compactionSlack: 10);
        await log.AppendAsync([Row("series-laggard", 1), Row("series-laggard", 2)], CancellationToken.None);
        for (var seq = 1; seq <= 200; seq++) await log.AppendAsync([Row("series-busy", seq)], CancellationToken.None);

        await log.DeleteToAsync("series-busy", 200); // the laggard's rows are copied to the end of the log
        await log.DeleteToAsync("series-busy", 200); // and what lies before them is cut

        Assert.Equal(2, SeriesRowCount());
        Assert.Equal(203, Scalar($"SELECT min(position) FROM series_journal WHERE persistence_id <> '{JournalLog.CutMarkerId}'")); // the copies, after the 202 rows that were cut
        Assert.Equal([(1, 1), (2, 2)], await ReplayAsync(log, "series-laggard"));
        Assert.Equal([(1, 1), (2, 2)], await ReplayAsync(Reopen(), "series-laggard"));
    }

    [Fact]
    public async Task A_row_found_twice_after_a_crash_between_its_move_and_the_cut_is_replayed_once_from_its_newer_copy()
    {
        var log = Open();
        await log.AppendAsync([Row("series-a", 1), Row("series-a", 2), Row("series-b", 1)], CancellationToken.None);
        Execute("INSERT INTO series_journal (position, persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES (1000, 'series-a', 1, 7, 'SPR', X'63')");

        var restarted = Reopen();

        Assert.Equal([(1, 0x63), (2, 2)], await ReplayAsync(restarted, "series-a"));
        await restarted.AppendAsync([Row("series-a", 3)], CancellationToken.None);
        Assert.Equal(1001, Scalar("SELECT position FROM series_journal WHERE persistence_id = 'series-a' AND sequence_nr = 3"));
    }

    [Fact]
    public async Task A_file_with_the_keyed_journal_of_earlier_versions_is_moved_into_the_log_in_sequence_order()
    {
        var old = _db.CreateFile("old.db", """
            CREATE TABLE series_journal (persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, serializer_id INTEGER NOT NULL,
              manifest TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (persistence_id, sequence_nr)) WITHOUT ROWID;
            INSERT INTO series_journal VALUES ('series-b', 2, 7, 'SPR', X'02'), ('series-a', 1, 7, 'SPR', X'01'), ('series-b', 1, 7, 'SPR', X'01');
            """);
        var database = new PluginDatabase(PluginDatabase.PluginConfig(SeriesDatabase.Sqlite(old)).GetConfig(SeriesJournal.PluginId),
            SeriesJournal.PluginId);
        _opened.Add(database);
        var log = new JournalLog(database);

        Assert.Equal([(1, 1), (2, 2)], await ReplayAsync(log, "series-b"));
        Assert.Equal([(1, 1)], await ReplayAsync(log, "series-a"));
        await log.AppendAsync([Row("series-a", 2)], CancellationToken.None);
        Assert.Equal([(1, 1), (2, 2)], await ReplayAsync(log, "series-a"));
    }

    public void Dispose()
    {
        foreach (var database in _opened) database.Dispose();
        _db.Dispose();
    }
}
