using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Actors.Security;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Host;
using static Perf.Actors.Alerts.SilenceBookQueries;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// The engine's own health for operators: <c>GET /api/v1/system/status</c> (per node, from the figures each node writes
/// as host <c>perf-system</c> and the system alerts on them) and <c>GET /api/v1/system/profile</c> (this node's latency
/// per stage of the write path).
/// </summary>
public static class SystemEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The figures a node's status shows: (field, series name without labels, how several series combine).</summary>
    private static readonly (string Field, string Series, bool Sum)[] Figures =
    [
        ("points_ingested_per_second", "perf.points.ingested.rate", true),
        ("points_rejected_per_second", "perf.points.rejected.rate", true),
        ("journal_write_p99_ms", "perf.journal.write.duration.p99", false),
        ("journal_write_points_mean", "perf.journal.write.points.mean", false),
        ("detector_us_per_point_mean", "perf.detector.duration.mean", false),
        ("alert_evaluation_p99_ms", "perf.alerts.evaluation.duration.p99", false),
        ("series_active", "perf.series.active", false),
        ("series_recovering", "perf.series.recovering", false),
        ("mailbox_depth", "perf.mailbox.depth", false),
        ("sources_silent", "perf.sources.silent", false),
        ("cluster_unreachable", "perf.cluster.unreachable", false),
        ("disk_free_percent", "perf.disk.free_percent", false),
        ("resident_memory_bytes", "perf.process.resident_memory", false),
    ];

    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/system/status", StatusAsync).RequireArea(Area.Operate);
        app.MapGet("/api/v1/system/profile", (PerfEngine engine) => Results.Json(new
        {
            node = NodeName(engine.System),
            since = ApiJson.Time(new DateTimeOffset(Process.GetCurrentProcess().StartTime).ToUnixTimeMilliseconds()),
            stages = StageProfile.Stages.Select(s => new
            {
                stage = s.Stage,
                count = s.Histogram.Count,
                p50_ms = s.Histogram.PercentileMilliseconds(50),
                p90_ms = s.Histogram.PercentileMilliseconds(90),
                p99_ms = s.Histogram.PercentileMilliseconds(99),
                max_ms = s.Histogram.MaxMilliseconds,
            }),
        })).RequireArea(Area.Operate);
        return app;
    }

    private static string NodeName(ActorSystem system)
    {
        var self = Cluster.Get(system).SelfAddress;
        return $"{self.Host}:{self.Port}";
    }

    private static async Task<IResult> StatusAsync(PerfEngine engine, AlertIndex alerts, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var staleAfterMs = 3 * (long)engine.Settings.SelfMonitoring.Interval.TotalMilliseconds;
        var latest = await engine.Hosts.Ask(new GetHost(SelfMonitoringSettings.Host), AskTimeout, cancellationToken) is HostView view
            ? view.Series.Where(s => s.TimestampMs > 0).ToArray()
            : [];
        var silences = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout, cancellationToken);
        var active = AlertEndpoints.Active(await alerts.AlertsAsync(cancellationToken), silences, now)
            .Where(a => a.Alert.Host == SelfMonitoringSettings.Host)
            .ToArray();
        string NodeOf(string metric) => SystemFigures.NodeOf(metric) ?? "unknown";
        // A node's figures are written in one batch with one timestamp: series left over from before (a tag set the node
        // no longer reports, a node that left) are not part of its latest report and say nothing about it now.
        var members = Cluster.Get(engine.System).State.Members.Select(m => $"{m.Address.Host}:{m.Address.Port}").ToHashSet(StringComparer.Ordinal);
        var reports = latest.GroupBy(s => NodeOf(s.Metric))
            .Select(g => (Node: g.Key, LastMs: g.Max(s => s.TimestampMs), Series: g.ToArray()))
            .Select(r => (r.Node, r.LastMs, Series: r.Series.Where(s => s.TimestampMs == r.LastMs).ToArray()))
            .Where(r => members.Contains(r.Node) || now - r.LastMs <= staleAfterMs)
            .ToDictionary(r => r.Node);
        // Members that should report and do not are listed (stale); without self-monitoring nobody reports.
        var silentMembers = engine.Settings.SelfMonitoring.Enabled ? members.Where(m => !reports.ContainsKey(m)) : [];
        var nodes = reports.Keys.Concat(silentMembers)
            .Order(StringComparer.Ordinal)
            .Select(node => (Key: node, Series: reports.TryGetValue(node, out var report) ? report.Series : []))
            .Select(group =>
            {
                var series = group.Series;
                var lastMs = series.Length == 0 ? 0 : series.Max(s => s.TimestampMs);
                var current = series.Select(s => s.Metric).ToHashSet(StringComparer.Ordinal);
                var reasons = active.Where(a => current.Contains(a.Alert.Metric) && a.State is "firing" or "flapping")
                    .Select(a => (object)new
                    {
                        rule = a.Alert.RuleId,
                        name = a.Alert.RuleName,
                        severity = ApiJson.Name(a.Alert.Severity),
                        state = a.State,
                        metric = a.Alert.Metric,
                        value = ApiJson.Number(a.Alert.Value),
                        threshold = ApiJson.Number(a.Alert.Threshold),
                        since = ApiJson.Time(a.Alert.TimestampMs),
                    })
                    .ToList();
                if (now - lastMs > staleAfterMs)
                    reasons.Add(new { rule = "stale", name = "The node has not reported its figures", severity = "warning", state = "firing", since = lastMs > 0 ? ApiJson.Time(lastMs) : null });
                return new
                {
                    node = group.Key,
                    status = reasons.Count == 0 ? "ok" : "degraded",
                    last_report = lastMs > 0 ? ApiJson.Time(lastMs) : null,
                    reasons,
                    pending = active.Where(a => current.Contains(a.Alert.Metric) && a.State == "pending").Select(a => a.Alert.RuleId).Distinct(),
                    figures = Figures.ToDictionary(f => f.Field, f =>
                    {
                        var values = series.Where(s => SystemFigures.NameOf(s.Metric) == f.Series).Select(s => s.Value).ToArray();
                        return values.Length == 0 ? null : ApiJson.Number(f.Sum ? values.Sum() : values.Max());
                    }),
                };
            })
            .ToArray();
        return Results.Json(new
        {
            status = nodes.Length == 0 ? "unknown" : nodes.All(n => n.status == "ok") ? "ok" : "degraded",
            generated_at = ApiJson.Time(now),
            nodes,
        });
    }
}
