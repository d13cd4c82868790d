using Perf.Actors.Telemetry;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using Perf.Analytics.Aggregation;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Tests.Series;

/// <summary>The series actor against a real SQLite journal, snapshot store and chunk table.</summary>
public sealed class SeriesActorTests : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly SqlChunkStore _chunks;
    private readonly MutableClock _clock = new(Start);

    public SeriesActorTests() : base("series-actor-tests") => _chunks = new SqlChunkStore(_db.Storage.Series);

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .AddHocon(PluginDatabase.PluginConfig(_db.Storage.Series), HoconAddMode.Prepend)
        .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
        .WithSqlPersistence(_db.Storage.ConnectionString, ProviderName.SQLiteMS, autoInitialize: true);

    private static SeriesSettings Settings(int snapshotEvery = 1000, int chunkPoints = 1000, TimeSpan? tolerance = null, TimeSpan? retention = null) =>
        new(snapshotEvery, chunkPoints, TimeSpan.FromDays(1), TimeSpan.FromMinutes(2), retention ?? TimeSpan.FromDays(30), tolerance ?? TimeSpan.FromMinutes(5));

    private IActorRef Spawn(string entityId, SeriesSettings settings, DetectionSettings? detection = null, SeriesAlerting? alerting = null) =>
        Sys.ActorOf(SeriesActor.Props(entityId, settings, detection ?? TestDetection.Default, alerting ?? NoAlerts, _chunks, _clock));

    private static readonly SeriesAlerting NoAlerts = new(new AlertRuleRegistry([]), new FlappingSettings(TimeSpan.FromMinutes(30), 4),
        new NoDataSettings(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)));

    private static long T(int minute) => Start.AddMinutes(minute).ToUnixTimeMilliseconds();

    private async Task StopAsync(IActorRef actor)
    {
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(actor);
    }

    private async Task AppendAsync(IActorRef actor, string id, int fromMinute, int count)
    {
        for (var i = fromMinute; i < fromMinute + count; i++)
        {
            var result = await actor.Ask<AppendResult>(new AppendPoints(id, [T(i)], [i]), RemainingOrDefault);
            Assert.Equal(1, result.Accepted);
        }
    }

    private long? SnapshotSequenceNr(string entityId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_db.Storage.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_nr FROM series_snapshot WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", SeriesActor.PersistenceIdOf(entityId));
        return command.ExecuteScalar() is long sequenceNr ? sequenceNr : null;
    }

    [Fact]
    public async Task A_series_told_to_stop_by_its_shard_snapshots_what_it_journaled_first_and_a_quiet_one_stops_at_once()
    {
        const string id = "web-9/net.in";
        var actor = Spawn(id, Settings());
        await AppendAsync(actor, id, 0, 5);
        Assert.Null(SnapshotSequenceNr(id)); // snapshot_every 1000: none yet

        Watch(actor);
        actor.Tell(StopSeries.Instance);
        await ExpectTerminatedAsync(actor);

        Assert.Equal(5, SnapshotSequenceNr(id));
        var again = Spawn(id, Settings());
        var points = await again.Ask<RangeResult>(new ReadRange(id, 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal([0.0, 1, 2, 3, 4], points.Values);

        // Nothing journaled since: it stops without another snapshot.
        Watch(again);
        again.Tell(StopSeries.Instance);
        await ExpectTerminatedAsync(again);
        Assert.Equal(5, SnapshotSequenceNr(id));
    }

    [Fact]
    public async Task A_detector_that_throws_is_counted_where_the_system_alert_reads_it_and_the_points_are_stored()
    {
        using var reader = new MetricsReader();
        var detection = new DetectionSettings(true, 100, [new DetectorFamily("all", [new MetricPattern("*")], new DetectorSet("all", 0, [TestDetection.Broken]))]);
        var id = "web-9/cpu.usage";
        var actor = Spawn(id, Settings(), detection);

        for (var i = 0; i < 3; i++) Assert.Equal(1, (await actor.Ask<AppendResult>(new AppendPoints(id, [T(i)], [i]), RemainingOrDefault)).Accepted);

        var failures = reader.Read().Where(r => r.Instrument == "perf.detector.failures" && r.Tags.Contains(new("detector", "broken"))).Sum(r => r.Value);
        Assert.True(failures >= 3, $"{failures} failures counted");
    }

    [Fact]
    public async Task A_write_the_journal_fails_is_answered_as_failed_at_once_and_the_series_restarts_from_what_was_stored()
    {
        const string id = "web-9/disk.usage";
        var actor = Spawn(id, Settings());
        await AppendAsync(actor, id, 0, 2);
        Watch(actor);

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_db.Storage.ConnectionString))
        {
            await connection.OpenAsync();
            await using var trigger = connection.CreateCommand();
            trigger.CommandText = "CREATE TRIGGER refuse_series_writes BEFORE INSERT ON series_journal BEGIN SELECT RAISE(ABORT, 'injected fault'); END;";
            await trigger.ExecuteNonQueryAsync();
        }
        var failed = await actor.Ask<object>(new AppendPoints(id, [T(2)], [2], Correlation: 7), TimeSpan.FromSeconds(10));
        Assert.Equal(7, Assert.IsType<AppendFailed>(failed).Correlation);
        Assert.Contains("injected fault", ((AppendFailed)failed).Reason);
        await ExpectTerminatedAsync(actor);

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_db.Storage.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TRIGGER refuse_series_writes;";
            await drop.ExecuteNonQueryAsync();
        }
        var restarted = Spawn(id, Settings());
        Assert.Equal(2, (await restarted.Ask<StateView>(new GetState(id))).PointCount);
        await AppendAsync(restarted, id, 2, 1); // the retry
        Assert.Equal(3, (await restarted.Ask<StateView>(new GetState(id))).PointCount);
    }

    [Fact]
    public async Task Recovers_from_snapshot_plus_events_after_a_restart()
    {
        const string id = "web-1/cpu.usage";
        var settings = Settings(snapshotEvery: 4, chunkPoints: 5, tolerance: TimeSpan.Zero);
        var first = Spawn(id, settings);
        await AppendAsync(first, id, 0, 23);
        // Sealing runs behind the writes: 22 settled points make four chunks of five, two stay in the head.
        await AwaitAssertAsync(async () => Assert.Equal(4, (await first.Ask<StateView>(new GetState(id))).ChunkCount));
        var before = await first.Ask<StateView>(new GetState(id));
        Assert.Equal(23, before.PointCount);
        Assert.Equal(3, before.HeadPoints);
        await StopAsync(first);

        var second = Spawn(id, settings);
        var after = await second.Ask<StateView>(new GetState(id));
        Assert.Equal(before with { Detectors = [] }, after with { Detectors = [] });
        Assert.Equivalent(before.Detectors, after.Detectors, strict: true);
        var all = await second.Ask<RangeResult>(new ReadRange(id, 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (double)i), all.Values);
        Assert.Equal(Enumerable.Range(0, 23).Select(T), all.Timestamps);
    }

    [Fact]
    public async Task Records_findings_with_their_points_and_the_detectors_continue_from_the_snapshot_after_a_restart()
    {
        const string id = "web-1/cpu.usage";
        // Snapshots every 50-100 events: the restart reads a snapshot and replays the writes after it.
        var settings = Settings(snapshotEvery: 50, chunkPoints: 120, tolerance: TimeSpan.Zero);
        var random = new Random(11);
        double Value(int i) => i == 200 ? 95 : (i < 300 ? 40 : 60) + random.NextDouble() * 2;
        var values = Enumerable.Range(0, 520).Select(Value).ToArray();
        var first = Spawn(id, settings);
        for (var i = 0; i < 500; i += 5)
            await first.Ask<AppendResult>(new AppendPoints(id, Enumerable.Range(i, 5).Select(T).ToArray(), values[i..(i + 5)]), RemainingOrDefault);

        var found = (await first.Ask<AnomalyList>(new GetAnomalies(id, 0, long.MaxValue))).Anomalies;
        Assert.Contains(found, a => a is { Detector: "iid-spike", Kind: "spike", Value: 95 } && a.TimestampMs == T(200));
        Assert.Contains(found, a => a.Kind == "changepoint" && a.TimestampMs >= T(300) && a.TimestampMs <= T(320));
        var before = await first.Ask<StateView>(new GetState(id));
        Assert.All(before.Detectors, d => Assert.Equal(500, d.PointsObserved));
        await StopAsync(first);

        var second = Spawn(id, settings);
        var after = await second.Ask<StateView>(new GetState(id));
        Assert.Equivalent(before.Detectors, after.Detectors, strict: true);
        Assert.Equal(found, (await second.Ask<AnomalyList>(new GetAnomalies(id, 0, long.MaxValue))).Anomalies);

        // No second warm-up: a spike right after the restart is found at once, exactly as by an uninterrupted run.
        values[505] = 0;
        for (var i = 500; i < 520; i += 5)
            await second.Ask<AppendResult>(new AppendPoints(id, Enumerable.Range(i, 5).Select(T).ToArray(), values[i..(i + 5)]), RemainingOrDefault);
        var uninterrupted = new SeriesDetection(TestDetection.Default.For("cpu.usage"), 1000);
        var expected = uninterrupted.Observe(new SeriesEvents.PointsRecorded(Enumerable.Range(0, 520).Select(T).ToArray(), values)) ?? [];
        var all = (await second.Ask<AnomalyList>(new GetAnomalies(id, 0, long.MaxValue))).Anomalies;
        Assert.Contains(all, a => a.Detector == "iid-spike" && a.TimestampMs == T(505));
        Assert.Equal(expected, all);
    }

    [Fact]
    public async Task Anomalies_of_a_series_that_has_no_points_are_not_found()
    {
        var actor = Spawn("web-1/nothing", Settings());

        Assert.IsType<SeriesNotFound>(await actor.Ask<object>(new GetAnomalies("web-1/nothing", 0, long.MaxValue)));
    }

    [Fact]
    public async Task Group_commit_puts_appends_that_arrive_during_a_write_into_one_journal_write()
    {
        const string id = "web-1/requests";
        var actor = Spawn(id, Settings());
        const int appends = 200;
        var replies = Enumerable.Range(0, appends)
            .Select(i => actor.Ask<AppendResult>(new AppendPoints(id, [T(i)], [i]), TimeSpan.FromSeconds(30)))
            .ToArray();
        var results = await Task.WhenAll(replies);
        Assert.All(results, r => Assert.Equal(1, r.Accepted));
        var state = await actor.Ask<StateView>(new GetState(id));
        Assert.Equal(appends, state.PointCount);
        // Every append was acknowledged, with far fewer journal writes than appends.
        Assert.True(state.LastSequenceNr < appends / 2, $"{state.LastSequenceNr} journal writes for {appends} appends");
    }

    [Fact]
    public async Task Rejects_points_beyond_the_tolerance_and_counts_them()
    {
        const string id = "web-1/latency";
        var actor = Spawn(id, Settings(tolerance: TimeSpan.FromMinutes(5)));
        await AppendAsync(actor, id, 60, 1);
        var result = await actor.Ask<AppendResult>(new AppendPoints(id, [T(50), T(56), T(61)], [1, 2, 3]));
        Assert.Equal(new AppendResult(2, 1), result);
        var points = await actor.Ask<RangeResult>(new ReadRange(id, 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal([T(56), T(60), T(61)], points.Timestamps);
    }

    [Fact]
    public async Task Aggregates_per_step_across_sealed_chunks_and_the_head()
    {
        const string id = "web-1/disk.usage";
        var actor = Spawn(id, Settings(chunkPoints: 4, tolerance: TimeSpan.Zero));
        await AppendAsync(actor, id, 0, 20);
        await AwaitAssertAsync(async () => Assert.True((await actor.Ask<StateView>(new GetState(id))).ChunkCount >= 3));
        var tenMinutes = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
        var max = await actor.Ask<RangeResult>(new ReadRange(id, T(0), T(19), tenMinutes, AggregationKind.Max));
        Assert.Equal([9.0, 19.0], max.Values);
        var count = await actor.Ask<RangeResult>(new ReadRange(id, T(5), T(14), tenMinutes, AggregationKind.Count));
        Assert.Equal([5.0, 5.0], count.Values);
    }

    [Fact]
    public async Task Retention_drops_whole_chunks_older_than_the_retention_period()
    {
        const string id = "web-1/memory.usage";
        var settings = Settings(chunkPoints: 5, tolerance: TimeSpan.Zero, retention: TimeSpan.FromHours(1));
        var actor = Spawn(id, settings);
        await AppendAsync(actor, id, 0, 12);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await actor.Ask<StateView>(new GetState(id))).ChunkCount));
        await StopAsync(actor);

        // Two hours later the sealed chunks (minutes 0-9) are past retention; the head (10-11) stays until it is sealed.
        _clock.Now = Start.AddHours(2);
        var restarted = Spawn(id, settings);
        await AwaitAssertAsync(async () => Assert.Equal(0, (await restarted.Ask<StateView>(new GetState(id))).ChunkCount));
        var points = await restarted.Ask<RangeResult>(new ReadRange(id, 0, long.MaxValue, 0, AggregationKind.Avg));
        Assert.Equal([T(10), T(11)], points.Timestamps);
        Assert.Empty(await _chunks.ReadAsync(id, 0, long.MaxValue));
    }

    [Fact]
    public async Task Retention_repairs_the_totals_when_the_node_died_between_the_delete_and_its_event()
    {
        const string id = "web-1/disk.usage";
        var settings = Settings(chunkPoints: 5, tolerance: TimeSpan.Zero, retention: TimeSpan.FromHours(1));
        var actor = Spawn(id, settings);
        await AppendAsync(actor, id, 0, 12);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await actor.Ask<StateView>(new GetState(id))).ChunkCount));
        await StopAsync(actor);
        // A retention pass deleted the first chunk (minutes 0-4), then the node died before the event was written.
        var lost = await _chunks.DeleteExpiredAsync(id, T(5), sequenceBelow: 1);
        Assert.Equal(1, lost.DeletedCount);

        // The next pass finds nothing more to delete (the second chunk ends at minute 9, after the cutoff at minute 7)
        // but writes down what is left.
        _clock.Now = Start.AddMinutes(7).AddHours(1);
        var restarted = Spawn(id, settings);
        await AwaitAssertAsync(async () =>
        {
            var state = await restarted.Ask<StateView>(new GetState(id));
            Assert.Equal((1, 7L, T(5)), (state.ChunkCount, state.PointCount, state.FirstTimestampMs));
        });
        await StopAsync(restarted);
        var replayed = await Spawn(id, settings).Ask<StateView>(new GetState(id));
        Assert.Equal((1, 7L, T(5)), (replayed.ChunkCount, replayed.PointCount, replayed.FirstTimestampMs));
    }

    [Fact]
    public async Task A_series_without_points_answers_not_found()
    {
        var actor = Spawn("nobody/nothing", Settings());
        Assert.IsType<SeriesNotFound>(await actor.Ask<object>(new GetState("nobody/nothing")));
        Assert.IsType<SeriesNotFound>(await actor.Ask<object>(new ReadRange("nobody/nothing", 0, 1, 0, AggregationKind.Avg)));
    }

    void IDisposable.Dispose()
    {
        _chunks.Dispose();
        _db.Dispose();
    }
}
