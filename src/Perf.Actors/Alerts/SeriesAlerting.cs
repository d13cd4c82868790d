namespace Perf.Actors.Alerts;

/// <summary>What a series needs to run its alerts: the rules in force on this node, how flapping is judged and what no-data
/// rules measure silence against.</summary>
public sealed record SeriesAlerting(AlertRuleRegistry Rules, FlappingSettings Flapping, NoDataSettings NoData);
