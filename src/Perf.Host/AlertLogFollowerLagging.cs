namespace Perf.Host;

/// <summary>
/// A follower of the alert log fell <see cref="AlertLogFeed.Backlog"/> entries behind (a client that stopped reading):
/// its stream ends so that the others are not held up; it follows again from the last entry it saw.
/// </summary>
public sealed class AlertLogFollowerLagging(long offset)
    : Exception($"fell {AlertLogFeed.Backlog} alert log entries behind (at offset {offset}); follow again from the last entry seen");
