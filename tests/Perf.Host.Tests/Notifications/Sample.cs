using Perf.Actors.Alerts;
using Perf.Actors.Notifications;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Host.Tests.Notifications;

/// <summary>Alerts and notifications for the channel tests.</summary>
internal static class Sample
{
    /// <summary>2026-01-01T10:00:00Z.</summary>
    public const long T0 = 1_767_261_600_000;

    public const string T0Iso = "2026-01-01T10:00:00Z";

    public static AlertTransitioned Firing(
        string host = "web-1", string rule = "cpu_usage", string metric = "cpu.usage", double value = 97.5, double threshold = 90,
        AlertSeverity severity = AlertSeverity.Critical, long timestampMs = T0, string? ruleName = null) =>
        new($"{rule}/{host}/{metric}/{timestampMs}", rule, ruleName ?? rule, host, metric, AlertState.Pending, AlertState.Firing,
            severity, timestampMs, value, threshold, RecordedMs: timestampMs + 1_500);

    /// <summary>The same alert (same id, severity and labels) resolving at <paramref name="timestampMs"/>.</summary>
    public static AlertTransitioned Resolved(AlertTransitioned firing, long timestampMs, double value = 42) =>
        firing with { From = AlertState.Firing, To = AlertState.Resolved, TimestampMs = timestampMs, Value = value, RecordedMs = timestampMs + 1_500 };

    public static Notification Notification(NotificationKind kind, params AlertTransitioned[] alerts) =>
        new($"n-{Guid.NewGuid():N}", $"host={alerts[0].Host},rule={alerts[0].RuleId}", kind, alerts, CreatedMs: T0 + 60_000);
}
