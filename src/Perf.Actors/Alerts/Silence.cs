using Perf.Actors.Configuration;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Alerts;

/// <summary>
/// Like an Alertmanager silence: while active (<c>StartsMs &lt;= now &lt; EndsMs</c>), alerts whose host, metric and rule
/// match the patterns ('*' = any characters) are not notified and show as silenced. Alerts still change state and are
/// still in the log; a silence only holds back the notifications.
/// </summary>
public sealed record Silence(string Id, string Host, string Metric, string Rule, long StartsMs, long EndsMs, string Comment, string CreatedBy, long CreatedMs)
{
    public bool IsActive(long nowMs) => StartsMs <= nowMs && nowMs < EndsMs;

    public bool Matches(AlertTransitioned alert) =>
        new MetricPattern(Host).Matches(alert.Host) && new MetricPattern(Metric).Matches(alert.Metric) && new MetricPattern(Rule).Matches(alert.RuleId);
}
