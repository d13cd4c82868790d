using Perf.Actors.Alerts;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Notifications;

/// <summary>
/// The alerts of one group (same host and rule) that the dispatcher is tracking: their latest transitions, when the group
/// began firing (wall clock, for the delay), and which alerts the last firing notification announced.
/// </summary>
public sealed record NotificationGroup(
    string Key,
    IReadOnlyDictionary<string, AlertTransitioned> Alerts,
    long FiringSinceMs,
    long LastSentMs,
    IReadOnlySet<string> Announced,
    long Sequence)
{
    public IEnumerable<AlertTransitioned> Firing => Alerts.Values.Where(a => a.To == AlertState.Firing);

    public static string KeyOf(AlertTransitioned transition) => $"host={transition.Host},rule={transition.RuleId}";
}
