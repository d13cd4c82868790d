namespace Perf.Actors.Notifications;

public enum NotificationKind
{
    /// <summary>Alerts of the group fire (first notification after the delay, and repeats while they still fire).</summary>
    Firing = 0,

    /// <summary>Every alert of the group that had been notified as firing has resolved.</summary>
    Resolved = 1,

    /// <summary>An alert of the group is flapping (one notification per flapping episode).</summary>
    Flapping = 2,
}
