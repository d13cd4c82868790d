using Perf.Actors.Tests.Hosts;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Perf.Actors.Alerts;
using Perf.Actors.Hosts;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Actors.Tests.Series;
using Perf.Host;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Series.SeriesCommands;

namespace Perf.Actors.Tests.Alerts;

/// <summary>Alerts evaluated by the alerts child of a series of a real host actor, persisted to and read back from the alert log.</summary>
public sealed class AlertActorTests : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private const string Id = "web-1/cpu.usage";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AlertRule Cpu = new()
    {
        Id = "cpu_usage", Name = "cpu_usage", Metric = "cpu.usage", Warning = 70, Critical = 90, For = TimeSpan.FromMinutes(1), ResolveMargin = 3.5,
    };

    private readonly TestDatabase _db = new();
    private readonly MutableClock _clock = new(Start);
    // Silence is counted in 200 ms intervals, keep-alives every 40 s (a third of 2 min), both on _clock.
    private readonly SeriesAlerting _alerting = new(new AlertRuleRegistry([Cpu]), new FlappingSettings(TimeSpan.FromMinutes(30), 4),
        new NoDataSettings(TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(2)));

    public AlertActorTests() : base("alert-actor-tests") { }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
        .WithSqlPersistence(_db.Storage.ConnectionString, ProviderName.SQLiteMS, autoInitialize: true);

    /// <summary>The host of the series; the alerts child of its series <c>cpu.usage</c> is what these tests watch.</summary>
    private IActorRef Spawn() => Sys.ActorOf(HostProps());

    private Props HostProps() => HostActor.Props("web-1",
        new HostSettings(10_000, new SealPolicy(0, 1000, (long)TimeSpan.FromDays(1).TotalMilliseconds), TestDetection.With(100, 100, "iid-spike"), 1000,
            TimeSpan.FromDays(30)), _db.Storage.Hosts, DirectoryProbe.Create(this), _alerting, null, _clock);

    private static long T(int seconds) => Start.AddSeconds(seconds).ToUnixTimeMilliseconds();

    private async Task AppendAsync(IActorRef host, params (int S, double V)[] points)
    {
        var index = (await host.Ask<SeriesRegistration>(new RegisterSeries("web-1", ["cpu.usage"]), RemainingOrDefault)).Indexes![0];
        foreach (var (s, v) in points)
            Assert.IsType<AppendResult>(await host.Ask<object>(new AppendSamples("web-1", [index], [T(s)], [v], 0, 1, 0), RemainingOrDefault));
    }

    /// <summary>The alert log (of one rule when <paramref name="rule"/> is given) once it holds <paramref name="expected"/> transitions.</summary>
    private async Task<List<string>> LogAsync(int expected, string? rule = null)
    {
        var log = new AlertLog(Sys);
        List<string> transitions = [];
        await AwaitAssertAsync(async () =>
        {
            transitions = (await log.ReadAsync()).Where(e => rule is null || e.Transition.RuleId == rule)
                .Select(e => $"{e.Transition.From}->{e.Transition.To}:{e.Transition.Severity}@{(e.Transition.TimestampMs - T(0)) / 1000}").ToList();
            Assert.Equal(expected, transitions.Count);
        }, TimeSpan.FromSeconds(10));
        return transitions;
    }

    [Fact]
    public async Task A_firing_alert_whose_rule_is_deleted_resolves_instead_of_firing_on()
    {
        var series = Spawn();
        await AppendAsync(series, (0, 95), (30, 95), (60, 95));
        Assert.Equal(["Inactive->Pending:Critical@0", "Pending->Firing:Critical@60"], await LogAsync(2));

        _alerting.Rules.Replace([]); // the operator deleted the rule
        await AppendAsync(series, (90, 96));

        Assert.Equal(["Inactive->Pending:Critical@0", "Pending->Firing:Critical@60", "Firing->Resolved:Critical@60"], await LogAsync(3));
        var ended = (await new AlertLog(Sys).ReadAsync()).Last().Transition;
        Assert.Equal(95, ended.Value); // the last value the rule saw
    }

    [Fact]
    public async Task A_firing_alert_of_a_stopped_series_whose_rule_is_deleted_resolves_when_the_series_is_told_to_reapply_its_rules()
    {
        var series = Spawn();
        await AppendAsync(series, (0, 95), (30, 95), (60, 95));
        Assert.Equal(["Inactive->Pending:Critical@0", "Pending->Firing:Critical@60"], await LogAsync(2));
        Watch(series);
        series.Tell(StopHost.Instance); // passivated
        await ExpectTerminatedAsync(series);

        _alerting.Rules.Replace([]); // the operator deleted the rule
        var again = Spawn(); // no rule matches it any more: on its own it would not even start its alerts child
        again.Tell(new ReapplyAlertRules(Id, BookVersion: -1));

        Assert.Equal(["Inactive->Pending:Critical@0", "Pending->Firing:Critical@60", "Firing->Resolved:Critical@60"], await LogAsync(3));
        var ended = (await new AlertLog(Sys).ReadAsync()).Last().Transition;
        Assert.Equal(("cpu_usage", 90.0), (ended.RuleName, ended.Threshold)); // named and measured by the deleted rule
    }

    [Fact]
    public async Task A_breach_longer_than_for_goes_pending_firing_resolved_in_the_alert_log()
    {
        var series = Spawn();

        await AppendAsync(series, (0, 40), (30, 95), (60, 96), (90, 97), (120, 50));

        Assert.Equal(["Inactive->Pending:Critical@30", "Pending->Firing:Critical@90", "Firing->Resolved:Critical@120"], await LogAsync(3));
        var entries = await new AlertLog(Sys).ReadAsync();
        Assert.Equal(entries.Select(e => e.Offset).Order(), entries.Select(e => e.Offset));
        Assert.Equal(entries.Skip(1).Select(e => e.Offset), (await new AlertLog(Sys).ReadAsync(entries[0].Offset)).Select(e => e.Offset));
        Assert.Single(entries.Select(e => e.Transition.AlertId).Distinct());
        Assert.StartsWith($"cpu_usage-{T(30)}-", entries[0].Transition.AlertId);
    }

    [Fact]
    public async Task After_a_restart_the_alert_continues_from_where_it_was_with_nothing_written_twice()
    {
        var first = Spawn();
        await AppendAsync(first, (0, 95), (30, 95));
        Assert.Equal(["Inactive->Pending:Critical@0"], await LogAsync(1));
        Watch(first);
        first.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(first);

        var second = Spawn();
        await AppendAsync(second, (60, 95), (90, 20));

        // Firing at 60 (the breach started at 0, before the restart), then resolved: the pending is not repeated.
        Assert.Equal(["Inactive->Pending:Critical@0", "Pending->Firing:Critical@60", "Firing->Resolved:Critical@90"], await LogAsync(3));
    }

    [Fact]
    public async Task A_series_no_rule_watches_has_no_alerts_child_until_a_rule_arrives()
    {
        var series = Spawn();
        _alerting.Rules.Replace([Cpu with { Metric = "memory.usage" }]);
        await AppendAsync(series, (0, 99), (120, 99));
        Assert.Empty(await new AlertLog(Sys).ReadAsync());

        _alerting.Rules.Replace([Cpu with { For = TimeSpan.Zero }]);
        await AppendAsync(series, (150, 99));

        Assert.Equal(["Inactive->Firing:Critical@150"], await LogAsync(1));
    }

    [Fact]
    public async Task A_series_that_stops_reporting_goes_pending_and_firing_on_the_wall_clock_stays_alive_meanwhile_and_a_sample_resolves_it()
    {
        _alerting.Rules.Replace([Cpu with { For = TimeSpan.Zero }, new AlertRule
        {
            Id = "silent", Name = "silent", Kind = AlertRuleKind.NoData, Metric = "cpu.usage", Intervals = 2, For = TimeSpan.FromMinutes(1),
        }]);
        // A child of the test actor: what the series sends its parent (in a node, its shard) arrives here.
        var series = await ChildActorOfAsync(HostProps());
        await AppendAsync(series, (0, 95));
        // The cpu alert fires on that sample, so both rules have seen it (the reply to the append comes first): it arrived
        // at wall clock 0.
        Assert.Equal(["Inactive->Firing:Critical@0"], await LogAsync(1, "cpu_usage"));

        _clock.Now = Start.AddSeconds(1); // silent for more than 2 x 200 ms
        Assert.Equal(["Inactive->Pending:Warning@1"], await LogAsync(1, "silent"));

        _clock.Now = Start.AddSeconds(50); // still pending (for = 1 min), and 50 s without a message: keep the series alive
        Assert.Equal(Id, (await ExpectMsgAsync<KeepAlive>(TimeSpan.FromSeconds(10))).EntityId);

        _clock.Now = Start.AddSeconds(70);
        Assert.Equal(["Inactive->Pending:Warning@1", "Pending->Firing:Warning@70"], await LogAsync(2, "silent"));

        _clock.Now = Start.AddSeconds(100);
        await AppendAsync(series, (600, 40)); // sample time is not what counts: it arrived at 100

        Assert.Equal(["Inactive->Pending:Warning@1", "Pending->Firing:Warning@70", "Firing->Resolved:Warning@100"], await LogAsync(3, "silent"));
        var resolved = (await new AlertLog(Sys).ReadAsync()).Last(e => e.Transition.RuleId == "silent").Transition;
        Assert.Equal((0.4, 100.0), (resolved.Threshold, resolved.Value)); // the limit and the gap, in seconds
    }

    [Fact]
    public async Task A_finding_that_arrives_late_does_not_hide_a_later_transition_at_the_same_time()
    {
        var hostModel = new AlertRule
        {
            Id = "host_model", Kind = AlertRuleKind.Anomaly, Metric = "*", AnomalyKinds = ["host_anomaly"], For = TimeSpan.FromMinutes(10),
        };
        _alerting.Rules.Replace([Cpu with { For = TimeSpan.Zero }, hostModel]);
        var series = Spawn();
        await AppendAsync(series, (0, 40));
        await AwaitAssertAsync(async () => Assert.NotNull(await Sys.ActorSelection(series.Path / "alerts-0").ResolveOne(TimeSpan.FromSeconds(3))));

        // The host model's finding about the point at 30 s is stored (and alerts) before the point's own write.
        series.Tell(new RecordFinding(Id, new Anomaly(T(30), 99, "host-model", "host_anomaly", 5, double.NaN, double.NaN)));
        Assert.Equal(["Inactive->Firing:Warning@30"], await LogAsync(1));
        await AppendAsync(series, (30, 99));

        var log = await LogAsync(2);
        Assert.Contains("Inactive->Firing:Warning@30", log);  // host_model
        Assert.Contains("Inactive->Firing:Critical@30", log); // cpu_usage at the same sample time
    }

    [Fact]
    public async Task The_alert_index_groups_the_log_by_alert_and_picks_up_what_is_stored_after_each_read()
    {
        var index = new AlertIndex(new AlertLog(Sys));
        var series = Spawn();
        await AppendAsync(series, (0, 40), (30, 95), (60, 96), (90, 97), (120, 50));
        await LogAsync(3);

        var first = await index.AlertsAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["Pending", "Firing", "Resolved"], Assert.Single(first).Value.Select(e => e.Transition.To.ToString()));

        await AppendAsync(series, (150, 99));
        await LogAsync(4);
        var second = await index.AlertsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, second.Count);
        Assert.Equal(first.Keys.Single(), second.Keys.Except([second.Values.Single(t => t.Count == 1)[0].Transition.AlertId]).Single());
        Assert.Single(first); // what was handed out before does not change
    }

    void IDisposable.Dispose() => _db.Dispose();
}
