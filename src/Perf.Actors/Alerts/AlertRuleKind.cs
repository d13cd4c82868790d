namespace Perf.Actors.Alerts;

public enum AlertRuleKind
{
    /// <summary>The value crosses a warning and/or critical level (above, or below for <see cref="AlertRule.Below"/>).</summary>
    Threshold = 0,

    /// <summary>A detector recorded a finding (spike, change point or ensemble anomaly) with at least the rule's score.</summary>
    Anomaly = 1,

    /// <summary>A line fitted to the last <see cref="AlertRule.TrendWindow"/> of samples reaches a level within
    /// <see cref="AlertRule.Horizon"/> (disk full in 4 h) that the value itself has not reached yet.</summary>
    Trend = 2,

    /// <summary>The series has sent nothing for <see cref="AlertRule.Intervals"/> collection intervals of wall-clock time.</summary>
    NoData = 3,
}
