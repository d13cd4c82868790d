namespace Perf.Actors.Alerts;

/// <summary>The persisted form of a <see cref="RuleEvaluator"/> (in the alert actor's snapshot).</summary>
public sealed record RuleEvaluatorState(
    string RuleId,
    AlertState Condition,
    AlertSeverity Severity,
    long EpisodeStartMs,
    long LastFindingMs,
    bool Flapping,
    long[] Changes);
