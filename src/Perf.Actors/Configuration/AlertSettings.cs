using Perf.Actors.Alerts;

namespace Perf.Actors.Configuration;

/// <summary><c>perf.alerts</c> and the rules the product document's <c>monitoring.thresholds</c> make.</summary>
public sealed record AlertSettings(TimeSpan DefaultFor, double ResolveMarginPercent, FlappingSettings Flapping, IReadOnlyList<AlertRule> DefaultRules)
{
    /// <summary>The document's thresholds become rules; with self-monitoring on, so do <see cref="SystemRules"/>.</summary>
    public static AlertSettings Read(ConfigReader config, MonitoringSettings monitoring, SelfMonitoringSettings selfMonitoring)
    {
        var @for = config.Duration("perf.alerts.for", TimeSpan.Zero);
        var margin = config.Double("perf.alerts.resolve_margin_percent", 0, 100);
        var flapping = new FlappingSettings(
            config.Duration("perf.alerts.flapping.window", TimeSpan.FromSeconds(1)),
            config.Int("perf.alerts.flapping.changes", 2, 1000));
        var rules = monitoring.Thresholds
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new AlertRule
            {
                Id = t.Key,
                Name = t.Key,
                Metric = SeriesOf(t.Key),
                Warning = t.Value.Warning,
                Critical = t.Value.Critical,
                For = @for,
                ResolveMargin = t.Value.Warning * margin / 100,
            })
            .Concat(selfMonitoring.Enabled ? SystemRules.All : [])
            .ToArray();
        return new AlertSettings(@for, margin, flapping, rules);
    }

    /// <summary>The series a metric name of the product document stands for (README, "Alerts"): the application
    /// metrics are fields of the <c>application</c> group, the others <c>GROUP_FIELD</c> -> <c>GROUP.FIELD</c>.</summary>
    public static string SeriesOf(string thresholdName) => thresholdName switch
    {
        "response_time" or "error_rate" or "request_count" => "application." + thresholdName,
        _ when thresholdName.IndexOf('_') is > 0 and var i => thresholdName[..i] + "." + thresholdName[(i + 1)..],
        _ => thresholdName,
    };
}
