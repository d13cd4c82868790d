using Perf.Actors.Configuration;

namespace Perf.Actors.Alerts;

/// <summary>
/// The alert rules that watch the engine itself: threshold rules on the series of host
/// <see cref="SelfMonitoringSettings.Host"/> (one per node, told apart by their <c>node</c> label). They are defaults of
/// the rule book like the product document's thresholds: an operator changes a level with
/// <c>PUT /api/v1/alert-rules/{id}</c> or turns one off with DELETE. Failures are counted over
/// <c>perf.self_monitoring.failure_window</c> (<c>.recent</c>), so one failure keeps its alert firing that long.
/// </summary>
public static class SystemRules
{
    public static IReadOnlyList<AlertRule> All { get; } =
    [
        Rule("system_source_silent", "A source stopped sending", "perf.source.silent{*", warning: 1),
        Rule("system_ingest_rejections", "A protocol's requests are being rejected", "perf.ingest.rejected_percent*", warning: 10, critical: 50),
        Rule("system_detector_failures", "A detector threw", "perf.detector.failures.recent*", warning: 1),
        Rule("system_model_failures", "A host model failed to train", "perf.host_model.failures.recent*", warning: 1),
        Rule("system_report_failures", "A report failed", "perf.reports.failed.recent*", warning: 1),
        Rule("system_notification_failures", "Notifications fail past their retries", "perf.notifications.failed.recent*", critical: 1),
        Rule("system_journal_latency", "Journal writes are slow (p99, ms)", "perf.journal.write.duration.p99*", warning: 500, critical: 2000),
        Rule("system_cluster_unreachable", "A cluster member is unreachable", "perf.cluster.unreachable*", critical: 1),
        Rule("system_disk_space", "The data directory's disk is running out (% free)", "perf.disk.free_percent*", warning: 10, critical: 5, below: true),
    ];

    private static AlertRule Rule(string id, string name, string metric, double? warning = null, double? critical = null, bool below = false) => new()
    {
        Id = id,
        Name = name,
        Host = SelfMonitoringSettings.Host,
        Metric = metric,
        Warning = warning,
        Critical = critical,
        Below = below,
        Severity = critical is not null && warning is null ? AlertSeverity.Critical : AlertSeverity.Warning,
    };
}
