namespace Perf.Actors.Alerts;

/// <summary>What a series needs to run its alerts: the rules in force on this node and how flapping is judged.</summary>
public sealed record SeriesAlerting(AlertRuleRegistry Rules, FlappingSettings Flapping);
