using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Actors.Hosts;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Actors.Telemetry;
using Perf.Actors.Tests.Series;
using Perf.Analytics.Aggregation;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Hosts.HostDirectoryCommands;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Tests.Hosts;

/// <summary>The host actor against a real SQLite file: its series, its log records, snapshots, recovery and failures.</summary>
public sealed class HostActorTests : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly MutableClock _clock = new(Start);

    public HostActorTests() : base("host-actor-tests") { }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
        .WithSqlPersistence(_db.Storage.ConnectionString, ProviderName.SQLiteMS, autoInitialize: true);

    private static HostSettings Settings(int snapshotEvery = 1000, int chunkPoints = 1000, TimeSpan? tolerance = null, TimeSpan? retention = null,
        DetectionSettings? detection = null, int maxSeries = 10_000) =>
        new(maxSeries, new SealPolicy((long)(tolerance ?? TimeSpan.FromMinutes(5)).TotalMilliseconds, chunkPoints, (long)TimeSpan.FromDays(1).TotalMilliseconds),
            detection ?? TestDetection.Default, snapshotEvery, retention ?? TimeSpan.FromDays(30))
        {
            RetentionCheckEvery = TimeSpan.FromMilliseconds(200),
        };

    private static readonly SeriesAlerting NoAlerts = new(new AlertRuleRegistry([]), new FlappingSettings(TimeSpan.FromMinutes(30), 4),
        new NoDataSettings(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));

    private IActorRef Spawn(string host, HostSettings? settings = null, IActorRef? directory = null) =>
        Sys.ActorOf(HostActor.Props(host, settings ?? Settings(), _db.Storage.Hosts, directory ?? DirectoryProbe.Create(this), NoAlerts, null, _clock));

    private static long T(int minute) => Start.AddMinutes(minute).ToUnixTimeMilliseconds();

    private static async Task<int[]> RegisterAsync(IActorRef host, string name, params string[] metrics)
    {
        var registration = await host.Ask<SeriesRegistration>(new RegisterSeries(name, metrics), TimeSpan.FromSeconds(10));
        Assert.True(registration.Accepted);
        return registration.Indexes!;
    }

    private static Task<object> AppendAsync(IActorRef host, string name, int series, long[] timestamps, double[] values, long correlation = 0) =>
        host.Ask<object>(new AppendSamples(name, Enumerable.Repeat(series, timestamps.Length).ToArray(), timestamps, values, 0, timestamps.Length, correlation),
            TimeSpan.FromSeconds(10));

    private static async Task AppendMinutesAsync(IActorRef host, string name, int series, int fromMinute, int count)
    {
        for (var i = fromMinute; i < fromMinute + count; i++)
            Assert.Equal(1, Assert.IsType<AppendResult>(await AppendAsync(host, name, series, [T(i)], [i])).Accepted);
    }

    private async Task StopAsync(IActorRef actor, object? stop = null)
    {
        Watch(actor);
        actor.Tell(stop ?? PoisonPill.Instance);
        await ExpectTerminatedAsync(actor);
    }

    private long? SnapshotSequenceNr(string host)
    {
        using var connection = new SqliteConnection(_db.Storage.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_nr FROM host_snapshots WHERE host = $host";
        command.Parameters.AddWithValue("$host", host);
        return command.ExecuteScalar() is long sequenceNr ? sequenceNr : null;
    }

    [Fact]
    public async Task Refuses_a_registration_past_the_limit_as_a_whole_and_gives_the_indexes_of_the_series_it_takes()
    {
        var directory = DirectoryProbe.Create(this);
        var host = Spawn("web-1", Settings(maxSeries: 3), directory);

        Assert.Equal(new SeriesRegistration(true, 0, 3, 2, New: 2), await host.Ask<SeriesRegistration>(new CheckSeries("web-1", ["a", "b"])));
        Assert.Equal(new[] { 0, 1 }, await RegisterAsync(host, "web-1", "a", "b"));
        directory.ExpectMsg(new AddHost("web-1")); // the first series puts the host in the directory
        Assert.False((await host.Ask<SeriesRegistration>(new RegisterSeries("web-1", ["c", "d"]))).Accepted);
        // Known series never count against the limit; one new one still fits.
        Assert.Equal(new[] { 1, 0, 2 }, await RegisterAsync(host, "web-1", "b", "a", "c"));

        // A check answers as a registration would, and registers nothing.
        Assert.Equal(new SeriesRegistration(false, 3, 3, 1, New: 1), await host.Ask<SeriesRegistration>(new CheckSeries("web-1", ["d"])));
        Assert.Equal(["a", "b", "c"], (await host.Ask<HostView>(new GetHost("web-1"))).Series.Select(s => s.Metric));
    }

    [Fact]
    public async Task A_host_written_to_past_its_shard_shows_the_shard_it_is_busy_and_once_stopping_returns_such_appends()
    {
        // The write path sends appends straight to a running host, so its shard (here a probe, its parent) sees none of
        // them and would passivate it as idle: the host tells it it is busy, every quarter of passivate_after.
        var shard = CreateTestProbe();
        var host = await shard.ChildActorOfAsync(HostActor.Props("web-1", Settings() with { PassivateAfter = TimeSpan.FromMilliseconds(200) },
            _db.Storage.Hosts, DirectoryProbe.Create(this), NoAlerts, null, _clock));
        var cpu = (await RegisterAsync(host, "web-1", "cpu"))[0];
        await AppendMinutesAsync(host, "web-1", cpu, 0, 1);
        _clock.Now += TimeSpan.FromMilliseconds(100); // more than a quarter of passivate_after between two writes
        await AppendMinutesAsync(host, "web-1", cpu, 1, 1);
        Assert.Equal("web-1/cpu", (await shard.ExpectMsgAsync<SeriesCommands.KeepAlive>()).EntityId);

        // Stopping (passivated or handed off), it hands back what reaches it directly: the shard would have held it back.
        var writePath = CreateTestProbe();
        host.Tell(StopHost.Instance, shard.Ref);
        var late = new AppendSamples("web-1", [cpu], [T(2)], [2], 0, 1, 7);
        host.Tell(late, writePath.Ref);
        Assert.Same(late, (await writePath.ExpectMsgAsync<AppendReturned>()).Append);
    }

    [Fact]
    public async Task Appends_are_answered_once_stored_and_late_points_beyond_the_tolerance_are_counted_per_series()
    {
        var host = Spawn("web-1", Settings(tolerance: TimeSpan.FromMinutes(5)));
        var (latency, cpu) = (await RegisterAsync(host, "web-1", "latency", "cpu.usage")) is [var l, var c] ? (l, c) : default;
        await AppendMinutesAsync(host, "web-1", latency, 60, 1);

        var result = Assert.IsType<AppendResult>(await host.Ask<object>(new AppendSamples("web-1", [latency, latency, cpu, latency], [T(50), T(56), T(50), T(61)],
            [1, 2, 7, 3], 0, 4, 42)));

        Assert.Equal((3, 1, 42L), (result.Accepted, result.RejectedTooOld, result.Correlation));
        Assert.Equal([latency], result.RejectedSeries!);
        Assert.Equal([1], result.RejectedCounts!);
        var points = await host.Ask<RangeResult>(new ReadRange("web-1/latency", 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal([T(56), T(60), T(61)], points.Timestamps);
        var view = await host.Ask<HostView>(new GetHost("web-1"));
        Assert.Equal(new SeriesLatest("cpu.usage", T(50), 7), view.Series.Single(s => s.Metric == "cpu.usage"));
    }

    [Fact]
    public async Task An_append_naming_a_series_index_the_host_does_not_have_stores_nothing_and_says_so()
    {
        var host = Spawn("web-1");
        var index = (await RegisterAsync(host, "web-1", "a"))[0];

        var failed = Assert.IsType<AppendFailed>(await host.Ask<object>(new AppendSamples("web-1", [index, 5], [T(0), T(0)], [1, 2], 0, 2, 9)));

        Assert.True(failed.UnknownSeries);
        Assert.Equal(9, failed.Correlation);
        Assert.IsType<SeriesNotFound>(await host.Ask<object>(new GetState("web-1/a")));
    }

    [Fact]
    public async Task Many_appends_at_once_are_all_stored_and_answered()
    {
        var host = Spawn("web-1");
        var index = (await RegisterAsync(host, "web-1", "requests"))[0];

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => AppendAsync(host, "web-1", index, [T(i)], [i], i)));

        Assert.All(results, r => Assert.Equal(1, Assert.IsType<AppendResult>(r).Accepted));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i).Order(), results.Select(r => ((AppendResult)r).Correlation).Order());
        Assert.Equal(300, (await host.Ask<StateView>(new GetState("web-1/requests"))).PointCount);
    }

    [Fact]
    public async Task Recovers_from_its_snapshot_plus_the_records_after_it()
    {
        var settings = Settings(snapshotEvery: 4, chunkPoints: 5, tolerance: TimeSpan.Zero);
        var first = Spawn("web-1", settings);
        var index = (await RegisterAsync(first, "web-1", "cpu.usage"))[0];
        await AppendMinutesAsync(first, "web-1", index, 0, 23);
        var before = await first.Ask<StateView>(new GetState("web-1/cpu.usage"));
        Assert.Equal((23L, 4, 3), (before.PointCount, before.ChunkCount, before.HeadPoints)); // four chunks of five, three in the head
        Assert.NotNull(SnapshotSequenceNr("web-1"));
        await StopAsync(first);

        var second = Spawn("web-1", settings);
        var after = await second.Ask<StateView>(new GetState("web-1/cpu.usage"));
        Assert.Equal(before with { Detectors = [] }, after with { Detectors = [] });
        Assert.Equivalent(before.Detectors, after.Detectors, strict: true);
        var all = await second.Ask<RangeResult>(new ReadRange("web-1/cpu.usage", 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (double)i), all.Values);
        Assert.Equal(Enumerable.Range(0, 23).Select(T), all.Timestamps);
    }

    [Fact]
    public async Task Records_findings_with_their_points_and_the_detectors_continue_exactly_after_a_restart()
    {
        var settings = Settings(snapshotEvery: 37, chunkPoints: 120, tolerance: TimeSpan.Zero);
        var random = new Random(11);
        double Value(int i) => i == 200 ? 95 : (i < 300 ? 40 : 60) + random.NextDouble() * 2;
        var values = Enumerable.Range(0, 520).Select(Value).ToArray();
        var first = Spawn("web-1", settings);
        var index = (await RegisterAsync(first, "web-1", "cpu.usage"))[0];
        for (var i = 0; i < 500; i += 5)
            Assert.IsType<AppendResult>(await AppendAsync(first, "web-1", index, Enumerable.Range(i, 5).Select(T).ToArray(), values[i..(i + 5)]));

        var found = (await first.Ask<AnomalyList>(new GetAnomalies("web-1/cpu.usage", 0, long.MaxValue))).Anomalies;
        Assert.Contains(found, a => a is { Detector: "iid-spike", Kind: "spike", Value: 95 } && a.TimestampMs == T(200));
        Assert.Contains(found, a => a.Kind == "changepoint" && a.TimestampMs >= T(300) && a.TimestampMs <= T(320));
        var before = await first.Ask<StateView>(new GetState("web-1/cpu.usage"));
        Assert.All(before.Detectors, d => Assert.Equal(500, d.PointsObserved));
        await StopAsync(first); // no snapshot at the stop: recovery replays the records after the last one

        var second = Spawn("web-1", settings);
        var after = await second.Ask<StateView>(new GetState("web-1/cpu.usage"));
        Assert.Equivalent(before.Detectors, after.Detectors, strict: true);
        Assert.Equal(found, (await second.Ask<AnomalyList>(new GetAnomalies("web-1/cpu.usage", 0, long.MaxValue))).Anomalies);

        // No second warm-up: a spike right after the restart is found at once, exactly as by an uninterrupted run.
        values[505] = 0;
        for (var i = 500; i < 520; i += 5)
            Assert.IsType<AppendResult>(await AppendAsync(second, "web-1", index, Enumerable.Range(i, 5).Select(T).ToArray(), values[i..(i + 5)]));
        var uninterrupted = new SeriesDetection(TestDetection.Default.For("cpu.usage"), 1000);
        List<Anomaly>? expected = null;
        for (var i = 0; i < 520; i++) uninterrupted.Observe(T(i), values[i], ref expected);
        var all = (await second.Ask<AnomalyList>(new GetAnomalies("web-1/cpu.usage", 0, long.MaxValue))).Anomalies;
        Assert.Contains(all, a => a.Detector == "iid-spike" && a.TimestampMs == T(505));
        Assert.Equal(expected!, all);
    }

    [Fact]
    public async Task A_host_told_to_stop_by_its_shard_snapshots_what_it_wrote_first_and_a_quiet_one_stops_at_once()
    {
        var host = Spawn("web-9");
        var index = (await RegisterAsync(host, "web-9", "net.in"))[0];
        await AppendMinutesAsync(host, "web-9", index, 0, 5);
        Assert.Null(SnapshotSequenceNr("web-9")); // snapshot_every 1000: none yet

        await StopAsync(host, StopHost.Instance);

        Assert.Equal(6, SnapshotSequenceNr("web-9")); // the registration and five appends
        var again = Spawn("web-9");
        var points = await again.Ask<RangeResult>(new ReadRange("web-9/net.in", 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal([0.0, 1, 2, 3, 4], points.Values);
        // Nothing written since: it stops without another snapshot.
        await StopAsync(again, StopHost.Instance);
        Assert.Equal(6, SnapshotSequenceNr("web-9"));
    }

    [Fact]
    public async Task A_write_that_fails_is_answered_at_once_and_the_host_rebuilds_from_what_was_stored()
    {
        var host = Spawn("web-9");
        var index = (await RegisterAsync(host, "web-9", "disk.usage"))[0];
        await AppendMinutesAsync(host, "web-9", index, 0, 2);
        Execute("CREATE TRIGGER refuse_host_writes BEFORE INSERT ON host_log BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");

        var failed = Assert.IsType<AppendFailed>(await AppendAsync(host, "web-9", index, [T(2)], [2], correlation: 7));
        Assert.Equal(7, failed.Correlation);
        Assert.Contains("injected fault", failed.Reason);
        Assert.False(failed.UnknownSeries);

        Execute("DROP TRIGGER refuse_host_writes;");
        // The failed point is not in the rebuilt host (it was never stored); the retry stores it.
        await AwaitAssertAsync(async () => Assert.Equal(2, (await host.Ask<StateView>(new GetState("web-9/disk.usage"))).PointCount));
        await AwaitAssertAsync(async () => Assert.IsType<AppendResult>(await AppendAsync(host, "web-9", index, [T(2)], [2])));
        Assert.Equal(3, (await host.Ask<StateView>(new GetState("web-9/disk.usage"))).PointCount);
        await StopAsync(host);
        Assert.Equal(3, (await Spawn("web-9").Ask<StateView>(new GetState("web-9/disk.usage"))).PointCount);
    }

    [Fact]
    public async Task A_registration_whose_write_fails_is_answered_at_once_as_a_failure_not_as_the_series_limit()
    {
        var host = Spawn("web-9");
        await RegisterAsync(host, "web-9", "disk.usage");
        Execute("CREATE TRIGGER refuse_host_writes BEFORE INSERT ON host_log BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");

        var refused = await host.Ask<SeriesRegistration>(new RegisterSeries("web-9", ["disk.free"]), TimeSpan.FromSeconds(10));

        Assert.False(refused.Accepted);
        Assert.Contains("injected fault", refused.Failure);
        Execute("DROP TRIGGER refuse_host_writes;");
        // The host rebuilds without the series it could not store, then registers it.
        await AwaitAssertAsync(async () => Assert.Equal(new[] { 1 }, await RegisterAsync(host, "web-9", "disk.free")));
    }

    [Fact]
    public async Task A_detector_that_throws_is_counted_where_the_system_alert_reads_it_and_the_points_are_stored()
    {
        using var reader = new MetricsReader();
        var detection = new DetectionSettings(true, 100, [new DetectorFamily("all", [new MetricPattern("*")], new DetectorSet("all", 0, [TestDetection.Broken]))]);
        var host = Spawn("web-9", Settings(detection: detection));
        var index = (await RegisterAsync(host, "web-9", "cpu.usage"))[0];

        await AppendMinutesAsync(host, "web-9", index, 0, 3);

        var failures = reader.Read().Where(r => r.Instrument == "perf.detector.failures" && r.Tags.Contains(new("detector", "broken"))).Sum(r => r.Value);
        Assert.True(failures >= 3, $"{failures} failures counted");
        Assert.Equal(3, (await host.Ask<StateView>(new GetState("web-9/cpu.usage"))).PointCount);
    }

    [Fact]
    public async Task Aggregates_per_step_across_sealed_chunks_and_the_head()
    {
        var host = Spawn("web-1", Settings(chunkPoints: 4, tolerance: TimeSpan.Zero));
        var index = (await RegisterAsync(host, "web-1", "disk.usage"))[0];
        await AppendMinutesAsync(host, "web-1", index, 0, 20);
        Assert.True((await host.Ask<StateView>(new GetState("web-1/disk.usage"))).ChunkCount >= 3);

        var tenMinutes = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
        var max = await host.Ask<RangeResult>(new ReadRange("web-1/disk.usage", T(0), T(19), tenMinutes, AggregationKind.Max));
        Assert.Equal([9.0, 19.0], max.Values);
        var count = await host.Ask<RangeResult>(new ReadRange("web-1/disk.usage", T(5), T(14), tenMinutes, AggregationKind.Count));
        Assert.Equal([5.0, 5.0], count.Values);
    }

    [Fact]
    public async Task Retention_drops_whole_chunks_older_than_the_retention_period()
    {
        var settings = Settings(chunkPoints: 5, tolerance: TimeSpan.Zero, retention: TimeSpan.FromHours(1));
        var host = Spawn("web-1", settings);
        var index = (await RegisterAsync(host, "web-1", "memory.usage"))[0];
        await AppendMinutesAsync(host, "web-1", index, 0, 12);
        Assert.Equal(2, (await host.Ask<StateView>(new GetState("web-1/memory.usage"))).ChunkCount);
        await StopAsync(host);

        // Two hours later the sealed chunks (minutes 0-9) are past retention; the head (10-11) stays until it is sealed.
        _clock.Now = Start.AddHours(2);
        var restarted = Spawn("web-1", settings);
        await AwaitAssertAsync(async () => Assert.Equal(0, (await restarted.Ask<StateView>(new GetState("web-1/memory.usage"))).ChunkCount));
        var points = await restarted.Ask<RangeResult>(new ReadRange("web-1/memory.usage", 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal([T(10), T(11)], points.Timestamps);
        Assert.Empty(await _db.Storage.Hosts.Chunks.ReadAsync("web-1/memory.usage", 0, long.MaxValue));
        await StopAsync(restarted);
        Assert.Equal(0, (await Spawn("web-1", settings).Ask<StateView>(new GetState("web-1/memory.usage"))).ChunkCount);
    }

    [Fact]
    public async Task Queries_about_series_the_host_does_not_have_answer_not_found()
    {
        var host = Spawn("nobody");
        Assert.IsType<HostNotFound>(await host.Ask<object>(new GetHost("nobody")));
        Assert.IsType<SeriesNotFound>(await host.Ask<object>(new GetState("nobody/nothing")));
        Assert.IsType<SeriesNotFound>(await host.Ask<object>(new ReadRange("nobody/nothing", 0, 1, 0, AggregationKind.Avg)));
        Assert.IsType<SeriesNotFound>(await host.Ask<object>(new GetAnomalies("nobody/nothing", 0, long.MaxValue)));
    }

    [Fact]
    public async Task A_recovered_host_reminds_the_directory_of_itself()
    {
        var directory = DirectoryProbe.Create(this);
        var host = Spawn("db-1", directory: directory);
        await RegisterAsync(host, "db-1", "cpu.usage");
        directory.ExpectMsg(new AddHost("db-1"));
        await StopAsync(host);

        Spawn("db-1", directory: directory);

        // Covers a crash between a host's first series and the directory hearing of it.
        directory.ExpectMsg(new AddHost("db-1"));
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(_db.Storage.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    void IDisposable.Dispose() => _db.Dispose();
}
