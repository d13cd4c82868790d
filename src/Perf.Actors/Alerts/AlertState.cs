namespace Perf.Actors.Alerts;

/// <summary>Where an alert of one rule on one series stands.</summary>
public enum AlertState
{
    /// <summary>The condition does not hold (or never did).</summary>
    Inactive = 0,

    /// <summary>The condition holds, for less than the rule's <c>for</c> so far.</summary>
    Pending = 1,

    /// <summary>The condition has held for the rule's <c>for</c>.</summary>
    Firing = 2,

    /// <summary>A firing alert whose resolve condition was met; the next breach starts a new episode.</summary>
    Resolved = 3,

    /// <summary>The alert fired and resolved too often within the flapping window: one notification for the episode,
    /// no more until it has been stable for a whole window.</summary>
    Flapping = 4,
}
