using Akka.Actor;
using Akka.Configuration;
using Perf.Actors.Alerts;
using Perf.Actors.Hosts;
using Perf.Actors.Notifications;
using Perf.Actors.Optimization;
using Perf.Actors.Reports;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Analysis.AnalysisProtocol;
using static Perf.Actors.Alerts.AlertRuleBookCommands;
using static Perf.Actors.Alerts.AlertRuleBookEvents;
using static Perf.Actors.Alerts.AlertRuleBookQueries;
using static Perf.Actors.Alerts.SilenceBookCommands;
using static Perf.Actors.Alerts.SilenceBookEvents;
using static Perf.Actors.Alerts.SilenceBookQueries;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Hosts.HostDirectoryCommands;
using static Perf.Actors.Hosts.HostDirectoryEvents;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Notifications.NotificationProtocol;
using static Perf.Actors.Optimization.OptimizerCommands;
using static Perf.Actors.Optimization.OptimizerEvents;
using static Perf.Actors.Optimization.OptimizerQueries;
using static Perf.Actors.Reports.ReportJobsCommands;
using static Perf.Actors.Reports.ReportJobsEvents;
using static Perf.Actors.Reports.ReportJobsQueries;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesQueries;
using Perf.Actors.Security;
using static Perf.Actors.Security.KeyBookCommands;
using static Perf.Actors.Security.KeyBookEvents;
using static Perf.Actors.Security.KeyBookQueries;

namespace Perf.Actors.Tests.Serialization;

public sealed class PerfSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
    private readonly PerfSerializer _serializer;

    public PerfSerializerTests() => _serializer = new PerfSerializer((ExtendedActorSystem)_system);

    private static readonly ReportSpec Spec = new("performance_summary", "24h", 10, 20, ["cpu_usage", "disk.used"], ["a", "b"], "pdf", true);

    private static readonly AlertTransitioned Transition = new("a1", "cpu_usage", "CPU", "h", "cpu.usage", AlertState.Pending, AlertState.Firing,
        AlertSeverity.Critical, 1_700_000_060_000, 95.5, 90, 1_700_000_061_234);

    private static readonly AlertRule Rule = new()
    {
        Id = "disk", Name = "Disk nearly full", Host = "db-*", Metric = "disk.free_percent", Warning = 20, Critical = null, Below = true,
        For = TimeSpan.FromSeconds(90), ResolveMargin = 2.5,
    };

    private static readonly Silence Quiet = new("s-1", "web-*", "cpu.*", "*", 10, 20, "deploy", "ops@example.com", 9);

    private static readonly Acknowledgement Seen = new("cpu_usage-1-0123456789abcdef", "alice", "looking", 11);

    private static readonly AlertRule TrendRule = new()
    {
        Id = "disk_full", Name = "Disk full within 4 h", Kind = AlertRuleKind.Trend, Metric = "disk.usage", Warning = 80, Critical = 90,
        Horizon = TimeSpan.FromHours(4), TrendWindow = TimeSpan.FromMinutes(90), For = TimeSpan.FromMinutes(5), ResolveMargin = 1,
    };

    private static readonly AlertRule NoDataRule = new()
    {
        Id = "silent", Kind = AlertRuleKind.NoData, Host = "web-*", Metric = "*", Intervals = 5, Severity = AlertSeverity.Critical,
    };

    private static readonly Anomaly Finding = new(1_700_000_000_000, 42.5, "iid-spike", "spike", 42.5, 1e-5, double.NaN);

    /// <summary>One example of every type the serializer knows; the test below fails when a type is added without one.</summary>
    private static readonly ApiKey AgentKey = new("0123456789ab", "agents of web", Role.Ingest, ["web-*", "db-1"], new KeyRateLimit(50, 100),
        [1, 2, 3, 4], [9, 8, 7], 1_800_000_000_000, "admin-key");

    public static TheoryData<IPerfMessage> Examples() =>
    [
        new ReadRange("h/m", 10, 20, 5, AggregationKind.P99),
        new RangeResult([1, 2], [1.5, double.PositiveInfinity]),
        new GetState("h/m"),
        new StateView("h", "m", 10, 1, 9, 4.5, 3, 20, 2, 100, 12,
            [new DetectorView("ensemble", "anomaly", 500, 2, 1_700_000_000_000, ["Alert", "Score"], [0, 0.25], 4295)]),
        new GetAnomalies("h/m", 10, 20),
        new RecordFinding("h/cpu.usage", Finding with { Detector = "host-model", Kind = "host_anomaly" }),
        new AnomalyList([Finding], "latency", ["ensemble", "iid-spike"]),
        new SeriesNotFound("h/m"),
        new KeepAlive("h/m"),
        new ReapplyAlertRules("h/m", 7, 2),
        new AlertTransitioned("cpu_usage/h/cpu.usage/1700000000000", "cpu_usage", "CPU", "h", "cpu.usage", AlertState.Pending, AlertState.Firing,
            AlertSeverity.Critical, 1_700_000_060_000, 95.5, 90, 1_700_000_061_234),
        new AlertActorSnapshot(1_700_000_060_000,
        [
            new RuleEvaluatorState("cpu_usage", AlertState.Firing, AlertSeverity.Warning, 1, 2, true, [3, 4]),
            new RuleEvaluatorState("disk_full", AlertState.Pending, AlertSeverity.Critical, 5, 0, false, [])
            {
                TrendTimestampsMs = [1_700_000_000_000, 1_700_000_030_000, 1_700_000_060_000], TrendValues = [81.5, 81.75, 82.125],
            },
            new RuleEvaluatorState("silent", AlertState.Inactive, AlertSeverity.None, 0, 0, false, []) { LastArrivalMs = 1_700_000_061_234 },
        ]),
        new DispatcherSnapshot(42,
            [new NotificationGroup("host=h,rule=cpu_usage", new Dictionary<string, AlertTransitioned> { ["a1"] = Transition }, 5, 6, new HashSet<string> { "a1" }, 2)],
            [new Delivery(new Notification("host=h,rule=cpu_usage/2", "host=h,rule=cpu_usage", NotificationKind.Firing, [Transition], 7), "slack",
                DeliveryStatus.Failed, 3, "HttpRequestException: 500", 8),
             new Delivery(new Notification("n/1", "g", NotificationKind.Resolved, [], 9), "email", DeliveryStatus.Pending, 0, null, 10)]),
        GetNotifications.Instance,
        new Analyze("web-1", "full", ["cpu_usage", "memory.usage"], 10, 20, true, false, true),
        new AnalysisDocument("""{"trends": {}}"""),
        new AnalysisFailed("metrics", "no points", 404),
        new CreateReport("r1", Spec, 30),
        new GetReport("r1"),
        new ReportView(new ReportJob("r1", Spec, ReportStatus.Done, 1, null, 30, 31, 32, 4096)),
        new ListReports(50, ["web-*"]),
        new ReportList([new ReportJob("r1", Spec, ReportStatus.Failed, 0.5, "disk full", 30, 31, 32, 0)], 7),
        new ReportNotFound("r9"),
        new ReportQueued("r1", Spec, 30),
        new ReportStarted("r1", 31),
        new ReportDone("r1", 32, 4096),
        new ReportFailed("r2", 33, "AskTimeoutException: no answer"),
        new ReportInterrupted("r3", 34),
        .. LoadTestMessageExamples.All.Select(m => new TheoryDataRow<IPerfMessage>(m)),
        new SaveRule(NoDataRule),
        new DeleteRule("cpu_usage"),
        GetRules.Instance,
        new RuleBookView(3, [Rule, new AlertRule { Id = "spikes", Kind = AlertRuleKind.Anomaly, Metric = "*", AnomalyKinds = ["spike"], MinScore = 0.5,
            Severity = AlertSeverity.Critical, For = TimeSpan.FromMinutes(5) }, TrendRule, NoDataRule]),
        new RuleNotFound("nope"),
        new CreateSilence(Quiet),
        new ExpireSilence("s-1", 12),
        new Acknowledge(Seen),
        GetSilences.Instance,
        new SilencesView(4, [Quiet, Quiet with { Id = "s-2", Comment = "" }], [Seen]),
        new SilenceNotFound("s-9"),
        new SilenceCreated(Quiet),
        new CreateKey(AgentKey),
        new RevokeKey("0123456789ab", "admin-key", 77),
        GetKeys.Instance,
        new KeyBookView(2, [AgentKey, AgentKey with { Id = "ba9876543210", Hosts = [], RateLimit = null, RevokedMs = 80, RevokedBy = "admin-key" }]),
        new KeyNotFound("nope"),
        new KeyCreated(AgentKey),
        new KeyRevoked("0123456789ab", "jwt:ops", 81),
        new AuditEntry(1_800_000_000_000, "0123456789ab", "operator", "POST /api/v1/silences", "/api/v1/silences", 201, "127.0.0.1"),
        AuditTrail.Recorded.Instance,
        new SilenceExpired("s-1", 12),
        new AlertAcknowledged(Seen),
        new RuleSaved(TrendRule),
        new RuleDeleted("cpu_usage"),
        new NotificationsView([new Delivery(new Notification("n/1", "g", NotificationKind.Flapping, [Transition], 9), "am", DeliveryStatus.Delivered, 1, null, 10)],
            ["slack:slack"], 42),
        new RegisterSeries("h", ["cpu.usage", "memory.used"]),
        new CheckSeries("h", ["cpu.usage"]),
        new SeriesRegistration(true, 7, 10, 3, New: 2, Indexes: [4, -1, 6], Failure: "every field set: database or disk is full"),
        new AppendSamples("h", [0, 3], [1_700_000_000_000, -5], [0.5, double.NaN], 0, 2, 1L << 40 | 7),
        new AppendResult(5, 2, 99, [3], [2]),
        new AppendFailed("database is locked", 99, UnknownSeries: true),
        new GetHost("h"),
        new HostView("h", [new SeriesLatest("cpu.usage", 5, 6.5), new SeriesLatest("x", 0, double.NaN)]),
        new HostNotFound("h"),
        new HostAnomalyProtocol.GetHostAnomalies("h", 1, 2),
        new HostAnomalyProtocol.HostAnomalyList([new HostAnomaly(5, 3.5, 2.1, ["cpu.usage", "memory.usage"], [90, 25], "memory.usage")],
            ["cpu.usage", "memory.usage"], 150),
        Perf.Actors.Telemetry.GetNodeStats.Instance,
        new Perf.Actors.Telemetry.NodeStats(1234),
        new AddHost("h"),
        new HostListed("h"),
        ListHosts.Instance,
        new HostList(["a", "b"]),
        new HostAdded("h"),
        new HostDirectorySnapshot(["a", "b", "c"]),
        new SetPolicy("h", "cache", new PolicyChange(CacheMaxSizeBytes: 1L << 30, EvictionPolicy: "lfu", CacheTtl: TimeSpan.FromMinutes(30), MinInstances: 3, ScaleUpThreshold: 85.5)),
        new GetRecommendations("h"),
        new RecommendationsView("h", Policy, true, 3, [Scaled]),
        new PolicyAccepted(Policy, ["scaling.scale_up_threshold: 70 -> 90"]),
        new PolicyRejected("parameters.max_instances", "1 is below min_instances 2"),
        new RecommendationMade(Scaled),
        new PolicySet(Policy, "load_balancing", 1_700_000_000_000),
        new OptimizerSnapshot(Policy, 4, [Scaled, Scaled with { Kind = "cache", Action = "grow_cache", Evidence = [] }]),
    ];

    private static readonly OptimizationPolicy Policy = new(1L << 30, "lru", TimeSpan.FromHours(1), "weighted", 2, 10, 90, 30);

    private static readonly Recommendation Scaled = new("scaling", "scale_up", "cpu.usage high", 1_700_000_300_000, 1_700_000_000_000,
        [new Evidence("cpu.usage.min", 85), new Evidence("instances", 3)]);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_message_round_trips(IPerfMessage message)
    {
        var manifest = _serializer.Manifest(message);
        var bytes = _serializer.ToBinary(message);
        var back = _serializer.FromBinary(bytes, manifest);
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(Canonical(message), Canonical(back));
    }

    /// <summary>Rows written before trend and no-data rules (by the serializer of commit 880534c) read with the new fields' defaults.</summary>
    [Fact]
    public void Rules_and_alert_snapshots_written_before_the_trend_and_no_data_fields_still_read()
    {
        const string ruleSaved = "BGRpc2sQRGlzayBuZWFybHkgZnVsbAAEZGItKhFkaXNrLmZyZWVfcGVyY2VudAEAAAAAAAA0QAAAAAAAAAAAAAEA6aQ1AAAAAAAAAAAAAARAAAAAAAAAAAAAAQ==";
        const string ruleBook = "AwAAAAAAAAACBGRpc2sQRGlzayBuZWFybHkgZnVsbAAEZGItKhFkaXNrLmZyZWVfcGVyY2VudAEAAAAAAAA0QAAAAAAAAAAAAAEA6aQ1AAAAAAAAAAAAAARAAAAAAAAAAAAAAQZzcGlrZXMAAQEqASoAAAAAAAAAAAAAAAAAAAAAAAAAAF7QsgAAAAAAAAAAAAAAAAEFc3Bpa2UAAAAAAADgPwI=";
        const string snapshot = "YFLmz4sBAAACCWNwdV91c2FnZQIBAQAAAAAAAAACAAAAAAAAAAECAwQDbWVtAQIFAAAAAAAAAAYAAAAAAAAAAAA=";

        var saved = (RuleSaved)_serializer.FromBinary(Convert.FromBase64String(ruleSaved), "RE1");
        var book = (RuleBookView)_serializer.FromBinary(Convert.FromBase64String(ruleBook), "RV");
        var alerts = (AlertActorSnapshot)_serializer.FromBinary(Convert.FromBase64String(snapshot), "AS");

        Assert.Equal(Canonical(Rule), Canonical(saved.Rule));
        Assert.Equal((TimeSpan.Zero, AlertRule.DefaultTrendWindow, AlertRule.DefaultIntervals), (saved.Rule.Horizon, saved.Rule.TrendWindow, saved.Rule.Intervals));
        Assert.Equal(["disk", "spikes"], book.Rules.Select(r => r.Id));
        Assert.Equal(Canonical(Rule), Canonical(book.Rules[0]));
        Assert.Equal(
            Canonical(new AlertActorSnapshot(1_700_000_060_000,
                [new RuleEvaluatorState("cpu_usage", AlertState.Firing, AlertSeverity.Warning, 1, 2, true, [3, 4]),
                 new RuleEvaluatorState("mem", AlertState.Pending, AlertSeverity.Critical, 5, 6, false, [])])),
            Canonical(alerts));
    }

    [Fact]
    public void Only_an_append_s_slice_of_the_shared_columns_goes_over_the_wire()
    {
        var append = new AppendSamples("h", [9, 1, 2, 9], [0, 10, 20, 0], [0, 1.5, 2.5, 0], Offset: 1, Count: 2, Correlation: 5);

        var back = (AppendSamples)_serializer.FromBinary(_serializer.ToBinary(append), _serializer.Manifest(append));

        Assert.Equal(("h", 0, 2, 5L), (back.Host, back.Offset, back.Count, back.Correlation));
        Assert.Equal([1, 2], back.Series);
        Assert.Equal([10L, 20], back.Timestamps);
        Assert.Equal([1.5, 2.5], back.Values);
    }

    [Fact]
    public void An_optimizer_snapshot_without_a_policy_of_its_own_round_trips()
    {
        var snapshot = new OptimizerSnapshot(null, 2, []);

        var back = (OptimizerSnapshot)_serializer.FromBinary(_serializer.ToBinary(snapshot), _serializer.Manifest(snapshot));

        Assert.Null(back.Policy);
        Assert.Equal(2, back.Instances);
        Assert.Empty(back.Current);
    }

    [Fact]
    public void Every_registered_type_has_an_example_and_manifests_are_short_and_unique()
    {
        var examples = Examples().Select(row => row.Data.GetType()).ToHashSet();
        Assert.Equal(_serializer.RegisteredTypes.OrderBy(t => t.FullName), examples.OrderBy(t => t.FullName));
        var manifests = Examples().Select(row => _serializer.Manifest(row.Data)).ToArray();
        Assert.Equal(manifests.Length, manifests.Distinct().Count());
        Assert.All(manifests, m => Assert.True(m.Length <= 3, m));
    }

    [Fact]
    public void Every_IPerfMessage_in_the_assembly_is_registered()
    {
        var messages = typeof(IPerfMessage).Assembly.GetTypes()
            .Where(t => typeof(IPerfMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        Assert.All(messages, t => Assert.Contains(t, _serializer.RegisteredTypes));
    }

    [Fact]
    public void Unknown_manifests_and_types_fail_loudly()
    {
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary([], "??"));
        Assert.Throws<ArgumentException>(() => _serializer.ToBinary("not a perf message"));
    }

    /// <summary>Records compare arrays by reference, so compare a rendering that spells out array contents (NaN-safe).</summary>
    private static string Canonical(object o) => System.Text.Json.JsonSerializer.Serialize(o, o.GetType(),
        new System.Text.Json.JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });

    public void Dispose() => _system.Dispose();
}
