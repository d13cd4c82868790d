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
        Figures(readings, new SystemFigures.Interval(Node, Interval, ["web-1", "web-2"], ["db-1"], []));

    private static Dictionary<string, double> Figures(Reading[] readings, SystemFigures.Interval interval) =>
        SystemFigures.From(readings, interval).ToDictionary(f => f.Metric, f => f.Value);

    [Fact]
    public void Counters_become_rates_histograms_their_mean_and_p99_and_gauges_their_value_each_labelled_with_the_node()
    {
        var figures = Figures(
            new Reading("perf.points.ingested", "{point}", Kind.Counter, Tags(("protocol", "json"), ("source", "k1")), 500),
            new Reading("perf.points.ingested", "{point}", Kind.Counter, Tags(("protocol", "json"), ("source", "k2")), 100),
            new Reading("perf.journal.write.duration", "ms", Kind.Histogram, [], 4.5, Count: 20, P99: 12),
            new Reading("perf.alerts.evaluation.duration", "ms", Kind.Histogram, [], double.NaN, Count: 0),
            new Reading("perf.series.active", "{series}", Kind.Gauge, [], 42));

        Assert.Equal(60, figures[$"perf.points.ingested.rate{{node=\"{Node}\",protocol=\"json\"}}"]); // summed over the sending keys
        Assert.Equal(4.5, figures[$"perf.journal.write.duration.mean{{node=\"{Node}\"}}"]);
        Assert.Equal(12, figures[$"perf.journal.write.duration.p99{{node=\"{Node}\"}}"]);
        Assert.Equal(20, figures[$"perf.journal.write.duration.count{{node=\"{Node}\"}}"]);
        Assert.Equal(0, figures[$"perf.alerts.evaluation.duration.count{{node=\"{Node}\"}}"]);
        Assert.DoesNotContain($"perf.alerts.evaluation.duration.p99{{node=\"{Node}\"}}", figures.Keys); // nothing recorded: no percentile
        Assert.Equal(42, figures[$"perf.series.active{{node=\"{Node}\"}}"]);
        Assert.Equal(2, figures[$"perf.sources.silent{{node=\"{Node}\"}}"]);
        Assert.Equal(1, figures[$"perf.source.silent{{host=\"web-2\",node=\"{Node}\"}}"]);
        Assert.Equal(0, figures[$"perf.source.silent{{host=\"db-1\",node=\"{Node}\"}}"]); // heard from again: back to 0
    }

    [Fact]
    public void Rates_are_over_the_time_the_readings_cover_and_failures_also_over_their_window()
    {
        Reading[] readings = [new("perf.reports.failed", "{report}", Kind.Counter, [], 3)];
        var figures = Figures(readings, new SystemFigures.Interval(Node, TimeSpan.FromSeconds(30), [], [], [readings[0] with { Value = 7 }]));

        Assert.Equal(0.1, figures[$"perf.reports.failed.rate{{node=\"{Node}\"}}"], 9);
        Assert.Equal(7, figures[$"perf.reports.failed.recent{{node=\"{Node}\"}}"]);
    }

    [Theory]
    [InlineData(30, 10, 0, 25)]
    [InlineData(0, 10, 0, 100)]
    [InlineData(10, 0, 10, 0)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(2, 2, 0, 0)] // too few requests to tell
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

    /// <summary>Each system rule watches series the figures really have, and fires on the value computed for them.</summary>
    [Theory]
    [InlineData("system_source_silent", "perf.source.silent")]
    [InlineData("system_ingest_rejections", "perf.ingest.rejected_percent")]
    [InlineData("system_detector_failures", "perf.detector.failures.recent")]
    [InlineData("system_model_failures", "perf.host_model.failures.recent")]
    [InlineData("system_report_failures", "perf.reports.failed.recent")]
    [InlineData("system_notification_failures", "perf.notifications.failed.recent")]
    [InlineData("system_journal_latency", "perf.journal.write.duration.p99")]
    [InlineData("system_cluster_unreachable", "perf.cluster.unreachable")]
    [InlineData("system_disk_space", "perf.disk.free_percent")]
    public void Every_system_rule_matches_its_figure_and_fires_on_a_failing_interval(string ruleId, string name)
    {
        Reading[] failures =
        [
            new("perf.detector.failures", "{failure}", Kind.Counter, Tags(("detector", "ensemble")), 1),
            new("perf.host_model.failures", "{failure}", Kind.Counter, [], 1),
            new("perf.reports.failed", "{report}", Kind.Counter, [], 1),
            new("perf.notifications.failed", "{delivery}", Kind.Counter, Tags(("channel", "mail")), 1),
        ];
        Reading[] readings =
        [
            .. failures,
            new("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "rejected"), ("protocol", "json")), 8),
            new("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "accepted"), ("protocol", "json")), 2),
            new("perf.journal.write.duration", "ms", Kind.Histogram, [], 900, Count: 3, P99: 2500),
            new("perf.cluster.members", "{member}", Kind.Gauge, Tags(("status", "unreachable")), 1),
            new("perf.disk.free_ratio", "1", Kind.Gauge, [], 0.042),
        ];
        var figures = Figures(readings, new SystemFigures.Interval(Node, Interval, ["web-1"], [], failures));
        var rule = SystemRules.All.Single(r => r.Id == ruleId);

        var (metric, value) = Assert.Single(figures, f => rule.Matches(SelfMonitoringSettings.Host, f.Key));

        Assert.Equal(name, SystemFigures.NameOf(metric));
        Assert.NotEqual(AlertSeverity.None, rule.LevelOf(value, AlertSeverity.None));
    }

    [Fact]
    public void A_quiet_interval_fires_no_system_rule()
    {
        Reading[] failures = [new("perf.reports.failed", "{report}", Kind.Counter, [], 0)];
        Reading[] readings =
        [
            .. failures,
            new("perf.ingest.requests", "{request}", Kind.Counter, Tags(("outcome", "accepted"), ("protocol", "json")), 50),
            new("perf.journal.write.duration", "ms", Kind.Histogram, [], 2, Count: 300, P99: 9),
            new("perf.cluster.members", "{member}", Kind.Gauge, Tags(("status", "up")), 3),
            new("perf.cluster.members", "{member}", Kind.Gauge, Tags(("status", "unreachable")), 0),
            new("perf.disk.free_ratio", "1", Kind.Gauge, [], 0.6),
        ];
        var figures = Figures(readings, new SystemFigures.Interval(Node, Interval, [], ["web-1"], failures));

        foreach (var rule in SystemRules.All)
            foreach (var (metric, value) in figures.Where(f => rule.Matches(SelfMonitoringSettings.Host, f.Key)))
                Assert.True(rule.LevelOf(value, AlertSeverity.None) == AlertSeverity.None, $"{rule.Id} fires on {metric} = {value}");
    }
}
