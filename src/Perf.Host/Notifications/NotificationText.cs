using System.Globalization;
using Perf.Actors.Alerts;
using Perf.Actors.Notifications;
using Perf.Analytics.Time;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Host.Notifications;

/// <summary>
/// How a notification reads, whatever carries it: the subject line, one line per alert, and an alert as JSON. Every
/// channel formats through here so that an email, a Slack message and a webhook say the same thing in the same words.
/// </summary>
public static class NotificationText
{
    /// <summary>Beyond this many hosts a subject names only their count, so that it stays one readable line.</summary>
    private const int MaxHostsNamed = 3;

    /// <summary><c>firing</c>, <c>resolved</c> or <c>flapping</c>, as the webhook's <c>status</c> field has it.</summary>
    public static string Status(NotificationKind kind) => kind switch
    {
        NotificationKind.Firing => "firing",
        NotificationKind.Resolved => "resolved",
        NotificationKind.Flapping => "flapping",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a notification kind"),
    };

    public static string Name(AlertState state) => state.ToString().ToLowerInvariant();

    public static string Name(AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    /// <summary>RFC 3339 in UTC, as the API writes times.</summary>
    public static string Time(long epochMs) => TimestampParser.FormatIso(epochMs);

    /// <summary>A value for people: at most three decimals, tiny values in scientific notation rather than as 0.</summary>
    public static string Number(double value) =>
        !double.IsFinite(value) ? "n/a"
        : value != 0 && Math.Abs(value) < 0.001 ? value.ToString("0.##E+0", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>JSON has no NaN: a value that is not a number is null.</summary>
    public static double? JsonNumber(double value) => double.IsFinite(value) ? value : null;

    /// <summary><c>[FIRING:1] cpu_usage on web-1</c>: the kind, how many alerts, which rules and where.</summary>
    public static string Subject(Notification notification)
    {
        var alerts = notification.Alerts;
        var rules = alerts.Select(a => a.RuleName).Distinct(StringComparer.Ordinal).ToArray();
        var hosts = alerts.Select(a => a.Host).Distinct(StringComparer.Ordinal).ToArray();
        var what = rules.Length == 0 ? notification.GroupKey : string.Join(", ", rules);
        var where = hosts.Length switch
        {
            0 => "",
            <= MaxHostsNamed => " on " + string.Join(", ", hosts),
            _ => $" on {hosts.Length} hosts",
        };
        return $"[{Status(notification.Kind).ToUpperInvariant()}:{alerts.Count}] {what}{where}";
    }

    /// <summary>One alert in a sentence without its rule: <c>cpu.usage on web-1: 97.5 (threshold 90), critical, firing since 2026-01-01T10:00:00Z</c>.</summary>
    public static string AlertLine(AlertTransitioned alert)
    {
        var severity = alert.Severity == AlertSeverity.None ? "" : $", {Name(alert.Severity)}";
        return $"{alert.Metric} on {alert.Host}: {Number(alert.Value)} (threshold {Number(alert.Threshold)}){severity}, {Since(alert)}";
    }

    /// <summary>The state and since when: <c>firing since …</c>, or <c>resolved at …</c>.</summary>
    public static string Since(AlertTransitioned alert) =>
        alert.To == AlertState.Resolved ? $"resolved at {Time(alert.TimestampMs)}" : $"{Name(alert.To)} since {Time(alert.TimestampMs)}";

    /// <summary>One alert in a headline: <c>cpu_usage on web-1 is firing (critical)</c>.</summary>
    public static string AlertSummary(AlertTransitioned alert)
    {
        var severity = alert.Severity == AlertSeverity.None ? "" : $" ({Name(alert.Severity)})";
        return $"{alert.RuleName} on {alert.Host} is {Name(alert.To)}{severity}";
    }

    /// <summary>
    /// An alert as the webhook carries it. Names and formats follow the API's alert JSON (<c>/api/v1/alerts</c>), so a
    /// receiver of both parses them alike.
    /// </summary>
    public static object AlertJson(AlertTransitioned alert) => new
    {
        alert_id = alert.AlertId,
        rule = alert.RuleId,
        rule_name = alert.RuleName,
        host = alert.Host,
        metric = alert.Metric,
        state = Name(alert.To),
        severity = Name(alert.Severity),
        value = JsonNumber(alert.Value),
        threshold = JsonNumber(alert.Threshold),
        timestamp = Time(alert.TimestampMs),
    };
}
