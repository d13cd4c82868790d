namespace Perf.Actors.Notifications;

/// <summary>
/// When the dispatcher notifies: it waits <paramref name="Delay"/> after a group first fires (the document's
/// <c>monitoring.alerts.notification_delay</c>; an alert that resolves sooner is never notified), repeats every
/// <paramref name="RepeatInterval"/> while the group still fires, and retries a failed delivery after
/// <paramref name="RetryInitial"/>, doubling up to <paramref name="RetryMax"/>, <paramref name="RetryAttempts"/> times in all.
/// </summary>
public sealed record NotificationPolicy(TimeSpan Delay, TimeSpan RepeatInterval, TimeSpan RetryInitial, TimeSpan RetryMax, int RetryAttempts)
{
    /// <summary>The wait before attempt <paramref name="attempt"/> (2, 3, ...) of a delivery.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var doubled = RetryInitial.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 2));
        return TimeSpan.FromMilliseconds(Math.Min(doubled, RetryMax.TotalMilliseconds));
    }
}
