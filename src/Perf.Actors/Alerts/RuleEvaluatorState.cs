namespace Perf.Actors.Alerts;

/// <summary>The persisted form of a <see cref="RuleEvaluator"/> (in the alert actor's snapshot).</summary>
public sealed record RuleEvaluatorState(
    string RuleId,
    AlertState Condition,
    AlertSeverity Severity,
    long EpisodeStartMs,
    long LastFindingMs,
    bool Flapping,
    long[] Changes)
{
    /// <summary>Trend rules: the samples the line is fitted to (oldest first), so a restart does not start the fit over.</summary>
    public long[] TrendTimestampsMs { get; init; } = [];

    public double[] TrendValues { get; init; } = [];

    /// <summary>No-data rules: when (wall clock) the last sample arrived; 0 before the rule saw one.</summary>
    public long LastArrivalMs { get; init; }

    /// <summary>The rule the state was made under (null in snapshots of earlier versions): once the rule is deleted, its
    /// open alert can still be ended with the rule's name and thresholds.</summary>
    public AlertRule? Rule { get; init; }
}
