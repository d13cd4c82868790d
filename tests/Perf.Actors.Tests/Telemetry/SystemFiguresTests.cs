using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Actors.Telemetry;
using static Perf.Actors.Telemetry.MetricsReader;

namespace Perf.Actors.Tests.Telemetry;

public sealed class SystemFiguresTests
{
    private const string Node = "10.0.0.1:4053";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static KeyValuePair<string, string>[] Tags(params (string Key, string Value)[] tags) => [.. tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value))];

    private static Dictionary<string, double> Figures(params Reading[] readings) =>
        SystemFigures.From(readings, Node, Interval, silentSources: 2).ToDictionary(f => f.Metric, f => f.Value);

    [Fact]
    public void Counters_become_rates_histograms_their_mean_and_p99_and_gauges_their_value_each_labelled_with_the_node()
    {
        var figures = Figures(
            new Reading("perf.points.ingested", "{point}", Kind.Counter, Tags(("protocol", "json"), ("source", "k1")), 500),
            new Reading("perf.journal.write.duration", "ms", Kind.Histogram, [], 4.5, Count: 20, P99: 12),
            new Reading("perf.alerts.evaluation.duration", "ms", Kind.Histogram, [], double.NaN, Count: 0),
            new Reading("perf.series.active", "{series}", Kind.Gauge, [], 42));

        Assert.Equal(50, figures[$"perf.points.ingested.rate{{node=\"{Node}\",protocol=\"json\",source=\"k1\"}}"]);
        Assert.Equal(4.5, figures[$"perf.journal.write.duration.mean{{node=\"{Node}\"}}"]);
        Assert.Equal(12, figures[$"perf.journal.write.duration.p99{{node=\"{Node}\"}}"]);
        Assert.Equal(20, figures[$"perf.journal.write.duration.count{{node=\"{Node}\"}}"]);
        Assert.Equal(0, figures[$"perf.alerts.evaluation.duration.count{{node=\"{Node}\"}}"]);
        Assert.DoesNotContain($"perf.alerts.evaluation.duration.p99{{node=\"{Node}\"}}", figures.Keys); // nothing recorded: no percentile
        Assert.Equal(42, figures[$"perf.series.active{{node=\"{Node}\"}}"]);
        Assert.Equal(2, figures[$"perf.sources.silent{{node=\"{Node}\"}}"]);
    }

    [Theory]
    [InlineData(30, 10, 0, 25)]
    [InlineData(0, 10, 0, 100)]
    [InlineData(10, 0, 10, 0)]
    [InlineData(0, 0, 0, 0)]
    public void Rejected_percent_is_per_protocol_over_every_request_of_the_interval(double accepted, double rejected, double retry, double percent)
    {
        var figures = Figures(
            new Reading("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "accepted"), ("protocol", "otlp")), accepted),
            new Reading("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "rejected"), ("protocol", "otlp")), rejected),
            new Reading("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "retry"), ("protocol", "otlp")), retry));

        Assert.Equal(percent, figures[$"perf.ingest.rejected_percent{{node=\"{Node}\",protocol=\"otlp\"}}"]);
    }

    [Fact]
    public void Unreachable_members_and_free_disk_are_derived_for_their_rules()
    {
        var figures = Figures(
            new Reading("perf.cluster.members", "{member}", Kind.Gauge, Tags(("status", "up")), 3),
            new Reading("perf.cluster.members", "{member}", Kind.Gauge, Tags(("status", "unreachable")), 1),
            new Reading("perf.disk.free_ratio", "1", Kind.Gauge, [], 0.042));

        Assert.Equal(1, figures[$"perf.cluster.unreachable{{node=\"{Node}\"}}"]);
        Assert.Equal(4.2, figures[$"perf.disk.free_percent{{node=\"{Node}\"}}"], 9);
    }

    [Theory]
    [InlineData("perf.journal.write.duration.p99{node=\"10.0.0.1:4053\"}", "10.0.0.1:4053", "perf.journal.write.duration.p99")]
    [InlineData("perf.points.ingested.rate{node=\"a:1\",protocol=\"json\"}", "a:1", "perf.points.ingested.rate")]
    [InlineData("cpu.usage", null, "cpu.usage")]
    public void A_series_name_gives_back_its_node_and_name(string metric, string? node, string name)
    {
        Assert.Equal(node, SystemFigures.NodeOf(metric));
        Assert.Equal(name, SystemFigures.NameOf(metric));
    }

    /// <summary>Each system rule watches series the figures really have: a rename on either side fails here.</summary>
    [Theory]
    [InlineData("system_source_silent", "perf.sources.silent", 2)]
    [InlineData("system_ingest_rejections", "perf.ingest.rejected_percent", 100)]
    [InlineData("system_detector_failures", "perf.detector.failures.rate", 0.1)]
    [InlineData("system_model_failures", "perf.host_model.failures.rate", 0.1)]
    [InlineData("system_report_failures", "perf.reports.failed.rate", 0.1)]
    [InlineData("system_notification_failures", "perf.notifications.failed.rate", 0.1)]
    [InlineData("system_journal_latency", "perf.journal.write.duration.p99", 2500)]
    [InlineData("system_cluster_unreachable", "perf.cluster.unreachable", 1)]
    [InlineData("system_disk_space", "perf.disk.free_percent", 4.2)]
    public void Every_system_rule_matches_its_figure_and_fires_on_a_failing_value(string ruleId, string name, double failing)
    {
        var figures = Figures(
            new Reading("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "rejected"), ("protocol", "json")), 5),
            new Reading("perf.detector.failures", "{failure}", Kind.Counter, Tags(("detector", "ensemble")), 1),
            new Reading("perf.host_model.failures", "{failure}", Kind.Counter, [], 1),
            new Reading("perf.reports.failed", "{report}", Kind.Counter, [], 1),
            new Reading("perf.notifications.failed", "{delivery}", Kind.Counter, Tags(("channel", "mail")), 1),
            new Reading("perf.journal.write.duration", "ms", Kind.Histogram, [], 900, Count: 3, P99: 2500),
            new Reading("perf.cluster.members", "{member}", Kind.Gauge, Tags(("status", "unreachable")), 1),
            new Reading("perf.disk.free_ratio", "1", Kind.Gauge, [], 0.042));
        var rule = SystemRules.All.Single(r => r.Id == ruleId);

        var watched = figures.Keys.Where(m => rule.Matches(SelfMonitoringSettings.Host, m)).ToArray();

        var metric = Assert.Single(watched);
        Assert.Equal(name, SystemFigures.NameOf(metric));
        Assert.NotEqual(AlertSeverity.None, rule.LevelOf(failing, AlertSeverity.None));
        Assert.Equal(AlertSeverity.None, rule.LevelOf(rule.Below ? 50 : 0, AlertSeverity.None));
    }
}
