namespace Perf.Actors.Alerts;

public enum AlertRuleKind
{
    /// <summary>The value crosses a warning and/or critical level (above, or below for <see cref="AlertRule.Below"/>).</summary>
    Threshold = 0,

    /// <summary>A detector recorded a finding (spike, change point or ensemble anomaly) with at least the rule's score.</summary>
    Anomaly = 1,
}
