using Perf.Actors.Configuration;
using Perf.Analytics.Trend;

namespace Perf.Actors.Alerts;

/// <summary>
/// One alert rule: which series it watches (host and metric patterns, '*' = any characters) and when it fires.
/// Threshold: fires when the value has been at or beyond <see cref="Warning"/> (or <see cref="Critical"/>) for
/// <see cref="For"/> of sample time, and resolves only once the value is back by <see cref="ResolveMargin"/> (hysteresis,
/// so a value hovering at the line does not flap). Anomaly: fires on a detector finding of one of
/// <see cref="AnomalyKinds"/> scoring at least <see cref="MinScore"/>, and resolves after <see cref="For"/> of sample
/// time without one. Trend: fires when a line fitted to the last <see cref="TrendWindow"/> of samples reaches a level
/// within <see cref="Horizon"/> that the value has not reached yet (see <see cref="PredictedLevelOf"/>). NoData: fires
/// when the series has sent nothing for <see cref="Intervals"/> collection intervals of wall-clock time, at
/// <see cref="Severity"/>, and resolves on its next sample.
/// </summary>
public sealed record AlertRule
{
    public static readonly TimeSpan DefaultTrendWindow = TimeSpan.FromHours(1);
    public const int DefaultIntervals = 3;

    public required string Id { get; init; }
    public string Name { get; init; } = "";
    public AlertRuleKind Kind { get; init; } = AlertRuleKind.Threshold;
    public string Host { get; init; } = "*";
    public required string Metric { get; init; }
    public double? Warning { get; init; }
    public double? Critical { get; init; }
    /// <summary>Fire when the value is at or below the levels instead of at or above.</summary>
    public bool Below { get; init; }
    public TimeSpan For { get; init; }
    /// <summary>How far back past the warning level a firing alert's value must come to resolve (0 = the level itself).
    /// Trend rules apply it to the value the line predicts at the horizon.</summary>
    public double ResolveMargin { get; init; }
    /// <summary>Anomaly rules: the finding kinds that count (spike, changepoint, anomaly); empty = all.</summary>
    public IReadOnlyList<string> AnomalyKinds { get; init; } = [];
    public double MinScore { get; init; }
    /// <summary>Anomaly and no-data rules: the severity they raise.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;
    /// <summary>Trend rules: how far past the newest sample the line may reach a level (4 h: "disk full within 4 h").</summary>
    public TimeSpan Horizon { get; init; }
    /// <summary>Trend rules: how much recent sample time the line is fitted to.</summary>
    public TimeSpan TrendWindow { get; init; } = DefaultTrendWindow;
    /// <summary>No-data rules: how many collection intervals without a sample make the series silent.</summary>
    public int Intervals { get; init; } = DefaultIntervals;

    public bool Matches(string host, string metric) => new MetricPattern(Host).Matches(host) && new MetricPattern(Metric).Matches(metric);

    /// <summary>The severity of <paramref name="value"/> against the levels, with the resolve margin applied when
    /// <paramref name="current"/> is already at or above that level (hysteresis per level).</summary>
    public AlertSeverity LevelOf(double value, AlertSeverity current)
    {
        if (Reaches(value, Critical, current >= AlertSeverity.Critical)) return AlertSeverity.Critical;
        if (Reaches(value, Warning, current >= AlertSeverity.Warning)) return AlertSeverity.Warning;
        return AlertSeverity.None;
    }

    /// <summary>
    /// Trend rules: the highest level <paramref name="line"/> (origin at the newest sample, whose value is
    /// <paramref name="value"/>) is heading for and reaches within <see cref="Horizon"/>, with the resolve margin applied
    /// to the predicted value while <paramref name="current"/> holds that level.
    /// </summary>
    /// <remarks>
    /// A level the value itself has already reached does not count: that is the threshold rule's job, so once the disk
    /// is actually full the trend alert resolves and a threshold rule on the same levels reports it. The line must also be
    /// moving toward the level: a line above it and falling back is not "going to reach" it.
    /// </remarks>
    public AlertSeverity PredictedLevelOf(double value, TrendLine line, AlertSeverity current)
    {
        if (Below ? line.SlopePerSecond >= 0 : line.SlopePerSecond <= 0) return AlertSeverity.None;
        var atHorizon = line.ValueAt(Horizon.TotalSeconds);
        if (Predicts(value, atHorizon, Critical, current >= AlertSeverity.Critical)) return AlertSeverity.Critical;
        if (Predicts(value, atHorizon, Warning, current >= AlertSeverity.Warning)) return AlertSeverity.Warning;
        return AlertSeverity.None;
    }

    private bool Predicts(double value, double atHorizon, double? level, bool holding) =>
        !Reaches(value, level, holding: false) && Reaches(atHorizon, level, holding);

    private bool Reaches(double value, double? level, bool holding)
    {
        if (level is not { } line) return false;
        var margin = holding ? ResolveMargin : 0;
        return Below ? value <= line + margin : value >= line - margin;
    }

    /// <summary>The level a severity stands for (for the event and the notification).</summary>
    public double LevelFor(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => Critical ?? double.NaN,
        AlertSeverity.Warning => Warning ?? double.NaN,
        _ => double.NaN,
    };
}
