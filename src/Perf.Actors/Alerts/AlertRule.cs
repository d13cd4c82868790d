using Perf.Actors.Configuration;

namespace Perf.Actors.Alerts;

/// <summary>
/// One alert rule: which series it watches (host and metric patterns, '*' = any characters) and when it fires.
/// Threshold: fires when the value has been at or beyond <see cref="Warning"/> (or <see cref="Critical"/>) for
/// <see cref="For"/> of sample time, and resolves only once the value is back by <see cref="ResolveMargin"/> (hysteresis,
/// so a value hovering at the line does not flap). Anomaly: fires on a detector finding of one of
/// <see cref="AnomalyKinds"/> scoring at least <see cref="MinScore"/>, and resolves after <see cref="For"/> of sample
/// time without one.
/// </summary>
public sealed record AlertRule
{
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
    /// <summary>How far back past the warning level a firing alert's value must come to resolve (0 = the level itself).</summary>
    public double ResolveMargin { get; init; }
    /// <summary>Anomaly rules: the finding kinds that count (spike, changepoint, anomaly); empty = all.</summary>
    public IReadOnlyList<string> AnomalyKinds { get; init; } = [];
    public double MinScore { get; init; }
    /// <summary>Anomaly rules: the severity they raise.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    public bool Matches(string host, string metric) => new MetricPattern(Host).Matches(host) && new MetricPattern(Metric).Matches(metric);

    /// <summary>The severity of <paramref name="value"/> against the levels, with the resolve margin applied when
    /// <paramref name="current"/> is already at or above that level (hysteresis per level).</summary>
    public AlertSeverity LevelOf(double value, AlertSeverity current)
    {
        if (Reaches(value, Critical, current >= AlertSeverity.Critical)) return AlertSeverity.Critical;
        if (Reaches(value, Warning, current >= AlertSeverity.Warning)) return AlertSeverity.Warning;
        return AlertSeverity.None;
    }

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
