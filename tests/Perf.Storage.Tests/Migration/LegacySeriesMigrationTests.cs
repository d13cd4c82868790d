using System.Text;
using Perf.Analytics.Compression;
using Perf.Storage.Hosts;
using Perf.Storage.Migration;
using Perf.Storage.Tests.Hosts;

namespace Perf.Storage.Tests.Migration;

/// <summary>
/// The move of layout 1 (a journal and a snapshot per series) into hosts that own their series, on the file the
/// previous release made and on small files of that layout: what it moves, that the hosts recover exactly what the
/// previous release served, that it runs once, and that a failure half way leaves the old layout as it was.
/// </summary>
public sealed class LegacySeriesMigrationTests(MigratedLegacyFile migrated) : IClassFixture<MigratedLegacyFile>, IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public void The_report_counts_the_hosts_series_and_records_moved()
    {
        Assert.Equal(new MigrationReport(FromLayout: 1, Hosts: 3, Series: 18, Records: migrated.EventsAfterSnapshots, DispatcherSnapshotMoved: true),
            migrated.Report);
        Assert.Equal(31, migrated.EventsAfterSnapshots); // cpu.usage's 10 points after its snapshot on each host, and db-1's finding
        Assert.Equal([["layout", "2"]], Sql.Rows(migrated.Path, "SELECT key, value FROM storage_meta"));
    }

    [Fact]
    public void The_tables_of_the_previous_layout_are_gone_and_the_hosts_series_lists_left_akkas_tables()
    {
        var tables = Sql.Tables(migrated.Path);

        Assert.DoesNotContain("series_journal", tables);
        Assert.DoesNotContain("series_journal_cut", tables);
        Assert.DoesNotContain("series_snapshot", tables);
        Assert.Subset(tables, new HashSet<string> { "host_log", "host_snapshots", "series_chunks", "journal", "snapshot", "tags", "storage_meta" });
        // The hosts' series lists are in their snapshots now; the host directory (whose id shares the prefix) and the
        // other actors keep their rows.
        Assert.Equal(0, Sql.Scalar(migrated.Path, "SELECT count(*) FROM journal WHERE persistence_id LIKE 'host-%' AND persistence_id <> 'host-directory'"));
        Assert.Equal(0, Sql.Scalar(migrated.Path, "SELECT count(*) FROM snapshot WHERE persistence_id LIKE 'host-%' AND persistence_id <> 'host-directory'"));
        Assert.Equal(3, Sql.Scalar(migrated.Path, "SELECT count(*) FROM journal WHERE persistence_id = 'host-directory'"));
        Assert.Equal(5, Sql.Scalar(migrated.Path, "SELECT count(*) FROM journal WHERE persistence_id LIKE 'alerts-%'"));
        Assert.Equal(54, Sql.Scalar(migrated.Path, "SELECT count(*) FROM series_chunks")); // chunks keep their table and keys
    }

    [Fact]
    public void The_notification_dispatchers_snapshot_moved_to_akkas_snapshot_table_unchanged()
    {
        Assert.Equal([migrated.DispatcherSnapshot], Sql.Rows(migrated.Path,
            "SELECT sequence_number, created, manifest, serializer_id, snapshot FROM snapshot WHERE persistence_id = 'notification-dispatcher'"));
        Assert.Equal("NS", migrated.DispatcherSnapshot[2]);
    }

    [Fact]
    public void Each_host_has_a_snapshot_at_record_0_with_its_series_in_the_order_it_registered_them()
    {
        Assert.Equal(["db-1", "web-1", "web-2"], migrated.Recoveries.Keys.Order(StringComparer.Ordinal));
        foreach (var (host, recovery) in migrated.Recoveries)
        {
            var snapshot = Assert.IsType<HostSnapshot>(recovery.Snapshot);
            Assert.Equal(0, snapshot.SequenceNr);
            Assert.Equal(migrated.HostLists[host], snapshot.Series.Select(s => s.Metric));
            // The records after it run 1, 2, ... without gaps, and the host continues after the last.
            Assert.Equal(Enumerable.Range(1, recovery.Records.Count).Select(i => (long)i), recovery.Records.Select(r => r.SequenceNr));
            Assert.Equal(recovery.Records.Count, recovery.HighestSequenceNr);
        }
    }

    public static TheoryData<string> SeriesIds => [.. LegacyFile.Expected.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(SeriesIds))]
    public void Every_series_recovers_exactly_what_the_previous_release_served(string seriesId)
    {
        var expected = LegacyFile.Expected[seriesId];
        var series = migrated.Series[seriesId];
        // What a query returns: the chunks the series has recorded as sealed (below its next sequence), then its head.
        var chunks = migrated.Chunks(seriesId).Where(c => c.Sequence < series.Chunks.NextSequence).ToList();
        var points = chunks.SelectMany(c => c.Points).Concat(series.Head).ToList();

        Assert.Equal(expected.Points, chunks.Sum(c => c.PointCount) + series.Head.Count);
        Assert.Equal(expected.Points, points.Count);
        Assert.Equal(expected.Chunks, chunks.Count);
        Assert.Equal(expected.Chunks, series.Chunks.Count);
        Assert.Equal(chunks.Sum(c => (long)c.PointCount), series.Chunks.Points);
        Assert.Equal(expected.FirstMs, points.Min(p => p.TimestampMs));
        Assert.Equal(expected.LastMs, points.Max(p => p.TimestampMs));
        Assert.True(points.Zip(points.Skip(1)).All(pair => pair.First.TimestampMs < pair.Second.TimestampMs), "points out of order or twice");
        Assert.Equal(expected.LastValue, points[^1].Value);
        Assert.Equal(expected.Sum, points.Sum(p => p.Value), tolerance: 1e-6);
        Assert.Equal(expected.Anomalies, series.Findings.Count);
        // Each detector saw what its snapshot counted, and sees the records' points again when the host recovers.
        Assert.Equal(expected.DetectorPoints.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value)),
            series.Detection.Detectors.Select(d => (Name: d.Key[..d.Key.IndexOf('(')], Points: d.PointsObserved + series.RecordPoints))
                .OrderBy(d => d.Name, StringComparer.Ordinal));
    }

    [Fact]
    public void Opening_a_migrated_file_again_changes_nothing()
    {
        var path = LegacyFile.CopyTo(_directory);
        var database = StorageDatabase.SqliteFile(path);
        Assert.NotNull(database.CreateSchema());
        var migratedOnce = Sql.Dump(path);

        Assert.Null(database.CreateSchema());

        Assert.Equal(migratedOnce, Sql.Dump(path));
    }

    public static TheoryData<string, string> Damage => new()
    {
        // The hosts are migrated in name order: damage to web-2's series fails the migration half way, after db-1's and
        // web-1's records and snapshots have been written. A foreign serializer and a damaged series list fail it earlier,
        // while it reads what to move, but inside the same transaction.
        { "a series event cut short", "UPDATE series_journal SET payload = substr(payload, 1, 5) WHERE persistence_id = 'series-web-2/cpu.usage' AND sequence_nr = 22" },
        { "a series event of a kind layout 1 never had", "UPDATE series_journal SET manifest = 'SE9' WHERE persistence_id = 'series-web-2/cpu.usage' AND sequence_nr = 22" },
        { "a series snapshot cut short", "UPDATE series_snapshot SET payload = substr(payload, 1, 100) WHERE persistence_id = 'series-web-2/memory.used'" },
        { "a series snapshot of a kind layout 1 never had", "UPDATE series_snapshot SET manifest = 'SS9' WHERE persistence_id = 'series-web-2/memory.used'" },
        { "a row another serializer wrote", "UPDATE series_journal SET serializer_id = 1 WHERE persistence_id = 'series-web-2/cpu.usage' AND sequence_nr = 22" },
        { "a host's series list cut short", "UPDATE journal SET message = substr(message, 1, 3) WHERE persistence_id = 'host-web-2' AND manifest = 'HE1'" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_migration_that_fails_half_way_leaves_the_previous_layout_as_it_was(string because, string damage)
    {
        _ = because;
        var path = LegacyFile.CopyTo(_directory);
        Sql.Execute(path, damage);
        var before = Sql.Dump(path);

        var failure = Assert.ThrowsAny<Exception>(() => StorageDatabase.SqliteFile(path).CreateSchema());

        Assert.IsNotType<Microsoft.Data.Sqlite.SqliteException>(failure); // the damage failed it, not the transaction around it
        Assert.Equal(before, Sql.Dump(path)); // rolled back: no host table, no moved row, nothing dropped
        Assert.Contains("series_journal", Sql.Tables(path));
        Assert.DoesNotContain("host_log", Sql.Tables(path));
    }

    [Fact]
    public void A_series_event_with_bytes_its_layout_does_not_have_fails_the_migration_which_leaves_the_file_as_it_was()
    {
        var path = LegacyFile.CopyTo(_directory);
        const string row = "persistence_id = 'series-web-2/cpu.usage' AND sequence_nr = 22";
        var payload = Sql.Blob(path, $"SELECT payload FROM series_journal WHERE {row}");
        Sql.Execute(path, $"UPDATE series_journal SET payload = @payload WHERE {row}", ("@payload", payload.Append((byte)0).ToArray()));
        var before = Sql.Dump(path);

        var failure = Assert.Throws<InvalidDataException>(() => StorageDatabase.SqliteFile(path).CreateSchema());

        Assert.Equal("a 'SE1' event has bytes left over", failure.Message);
        Assert.Equal(before, Sql.Dump(path));
    }

    /// <summary>Series events as layout 1 stored them (Perf's serializer, BinaryWriter layouts).</summary>
    private static byte[] PointsEvent(params (long TimestampMs, double Value)[] points)
    {
        var chunk = new GorillaChunkEncoder();
        foreach (var (t, v) in points) chunk.Append(t, v);
        var bytes = chunk.ToArray();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(bytes.Length);
            writer.Write(bytes);
        }
        return stream.ToArray();
    }

    private static List<string> RecordsOf(string path, string host) =>
        [.. Sql.Rows(path, "SELECT hex(payload) FROM host_log WHERE host = @host ORDER BY sequence_nr", ("@host", host))
            .Select(r => string.Join(" ; ", RecordText.Read(Convert.FromHexString(r[0]))))];

    [Fact]
    public async Task A_keyed_series_journal_of_earlier_versions_is_moved_in_sequence_order()
    {
        // Before the journal became a log it was keyed by (persistence id, sequence number), rows in key order.
        var path = _directory.CreateFile("keyed.db", """
            CREATE TABLE series_journal (persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, serializer_id INTEGER NOT NULL,
              manifest TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (persistence_id, sequence_nr)) WITHOUT ROWID;
            """);
        foreach (var (id, seq, payload) in new[]
                 {
                     ("series-web-1/b", 2L, PointsEvent((3_000, 3))), ("series-web-1/a", 1L, PointsEvent((1_000, 1))),
                     ("series-web-1/b", 1L, PointsEvent((2_000, 2))),
                 })
            Sql.Execute(path, "INSERT INTO series_journal VALUES (@id, @seq, 4717, 'SE1', @payload)", ("@id", id), ("@seq", seq), ("@payload", payload));
        var database = StorageDatabase.SqliteFile(path);

        Assert.Equal(new MigrationReport(1, Hosts: 1, Series: 2, Records: 3, DispatcherSnapshotMoved: false), database.CreateSchema());

        // No series list of the host's own: its series in name order, each one's events in sequence order.
        Assert.Equal(
            [
                RecordText.Points([(0, 1_000, 1.0)]),
                RecordText.Points([(1, 2_000, 2.0)]),
                RecordText.Points([(1, 3_000, 3.0)]),
            ],
            RecordsOf(path, "web-1"));
        using var storage = new HostStorage(database);
        var recovery = await storage.RecoverAsync("web-1");
        Assert.Equal(["a", "b"], recovery.Snapshot!.Series.Select(s => s.Metric));
        Assert.Equal(3, recovery.HighestSequenceNr);
        await storage.AppendAsync(new HostWrite("web-1", 4, [1])); // the host goes on after the moved records
    }

    [Fact]
    public void A_row_the_old_log_copied_forward_is_moved_once_from_its_later_copy_and_the_logs_cut_marker_is_not_a_series()
    {
        var path = _directory.CreateFile("log.db", """
            CREATE TABLE series_journal (position INTEGER PRIMARY KEY, persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL,
              serializer_id INTEGER NOT NULL, manifest TEXT NOT NULL, payload BLOB NOT NULL);
            CREATE TABLE series_journal_cut (id INTEGER PRIMARY KEY CHECK (id = 1), below INTEGER NOT NULL);
            INSERT INTO series_journal_cut VALUES (1, 1);
            INSERT INTO series_journal VALUES (0, 'journal-cut', 0, 0, '', X'');
            """);
        foreach (var (position, seq, payload) in new[]
                 {
                     (1L, 1L, PointsEvent((1_000, 1))), (2L, 2L, PointsEvent((2_000, 2))),
                     (7L, 1L, PointsEvent((1_000, 99))), // maintenance's copy of row 1, the original not cut yet
                 })
            Sql.Execute(path, "INSERT INTO series_journal VALUES (@position, 'series-web-1/cpu.usage', @seq, 4717, 'SE1', @payload)",
                ("@position", position), ("@seq", seq), ("@payload", payload));

        Assert.Equal(new MigrationReport(1, Hosts: 1, Series: 1, Records: 2, DispatcherSnapshotMoved: false), StorageDatabase.SqliteFile(path).CreateSchema());

        Assert.Equal([RecordText.Points([(0, 1_000, 99.0)]), RecordText.Points([(0, 2_000, 2.0)])], RecordsOf(path, "web-1"));
        Assert.Equal(["web-1"], Sql.Rows(path, "SELECT host FROM host_snapshots").Select(r => r[0]));
        Assert.DoesNotContain("series_journal_cut", Sql.Tables(path));
    }

    public void Dispose() => _directory.Dispose();
}
