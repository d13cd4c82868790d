namespace Perf.Actors.Configuration;

/// <summary>A family of metrics (<c>perf.detection.families.NAME</c>): the metric names it covers and their detectors.</summary>
public sealed record DetectorFamily(string Name, IReadOnlyList<MetricPattern> Match, DetectorSet Detectors)
{
    /// <summary>The specificity of the most specific pattern matching <paramref name="metric"/>; -1 when none does.</summary>
    public int MatchSpecificity(string metric)
    {
        var best = -1;
        foreach (var pattern in Match)
            if (pattern.Specificity > best && pattern.Matches(metric)) best = pattern.Specificity;
        return best;
    }
}
