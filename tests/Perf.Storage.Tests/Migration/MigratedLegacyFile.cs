using Perf.Analytics.Compression;
using Perf.Storage.Hosts;
using Perf.Storage.Migration;
using Perf.Storage.Tests.Hosts;

namespace Perf.Storage.Tests.Migration;

/// <summary>
/// A copy of the previous release's file, migrated once for every test of a class: what the old layout held (read
/// before the migration), the report, and every host as a node recovers it (<see cref="HostStorage.RecoverAsync"/>
/// replayed at the storage level).
/// </summary>
public sealed class MigratedLegacyFile : IAsyncLifetime
{
    private readonly TestDirectory _directory = new();

    public string Path { get; private set; } = "";

    public StorageDatabase Database { get; private set; } = null!;

    public MigrationReport? Report { get; private set; }

    /// <summary>The notification dispatcher's row of the old series snapshot table: sequence, created, manifest, serializer, payload.</summary>
    public string[] DispatcherSnapshot { get; private set; } = [];

    /// <summary>Series journal rows after their series' snapshots: each becomes a host record.</summary>
    public long EventsAfterSnapshots { get; private set; }

    /// <summary>Each host's series list as its "HE1" events in Akka's journal held it.</summary>
    public Dictionary<string, string[]> HostLists { get; } = new(StringComparer.Ordinal);

    /// <summary>Every series ("host/metric") as its host recovers it.</summary>
    public Dictionary<string, ReplayedSeries> Series { get; } = new(StringComparer.Ordinal);

    /// <summary>Each host's recovery.</summary>
    public Dictionary<string, HostRecovery> Recoveries { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        Path = LegacyFile.CopyTo(_directory);
        DispatcherSnapshot = Assert.Single(Sql.Rows(Path,
            "SELECT sequence_nr, created_ticks, manifest, serializer_id, payload FROM series_snapshot WHERE persistence_id = 'notification-dispatcher'"));
        EventsAfterSnapshots = Sql.Scalar(Path, """
            SELECT count(*) FROM series_journal j JOIN series_snapshot s ON s.persistence_id = j.persistence_id
            WHERE j.sequence_nr > s.sequence_nr
            """);
        foreach (var row in Sql.Rows(Path, "SELECT persistence_id FROM journal WHERE manifest = 'HE1' ORDER BY persistence_id, sequence_number"))
        {
            var payload = Sql.Blob(Path, "SELECT message FROM journal WHERE persistence_id = @id AND manifest = 'HE1'", ("@id", row[0]));
            HostLists[row[0]["host-".Length..]] = LegacySeriesFormat.ReadSeriesAdded(payload);
        }

        Database = StorageDatabase.SqliteFile(Path);
        Report = Database.CreateSchema();

        using var storage = new HostStorage(Database);
        foreach (var host in Sql.Rows(Path, "SELECT host FROM host_snapshots ORDER BY host").Select(r => r[0]))
        {
            var recovery = await storage.RecoverAsync(host);
            Recoveries[host] = recovery;
            foreach (var series in HostReplay.Replay(recovery.Snapshot, recovery.Records)) Series[host + "/" + series.Metric] = series;
        }
    }

    /// <summary>The chunk table's rows of a series: (sequence, first, last, points, data).</summary>
    public List<(long Sequence, long FirstMs, long LastMs, int PointCount, DataPoint[] Points)> Chunks(string seriesId) =>
    [
        .. Sql.Rows(Path, "SELECT sequence, first_ms, last_ms, point_count, hex(data) FROM series_chunks WHERE series_id = @id ORDER BY sequence", ("@id", seriesId))
            .Select(r => (long.Parse(r[0]), long.Parse(r[1]), long.Parse(r[2]), int.Parse(r[3]), GorillaChunk.Decode(Convert.FromHexString(r[4])))),
    ];

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
