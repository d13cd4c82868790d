using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Notifications;

/// <summary>
/// One message to people or to another system about a group of alerts (same host and rule by default).
/// </summary>
/// <param name="Id">unique per notification; a receiver can drop a repeat of an id it has seen (a resend after a crash).</param>
/// <param name="GroupKey">e.g. <c>host=web-1,rule=cpu_usage</c>.</param>
/// <param name="Kind">firing, resolved or flapping.</param>
/// <param name="Alerts">the latest transition of each alert of the group this notification is about.</param>
/// <param name="CreatedMs">when the dispatcher decided to send it (wall clock, epoch ms).</param>
public sealed record Notification(string Id, string GroupKey, NotificationKind Kind, IReadOnlyList<AlertTransitioned> Alerts, long CreatedMs);
