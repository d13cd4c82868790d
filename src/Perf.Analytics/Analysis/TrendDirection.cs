namespace Perf.Analytics.Analysis;

/// <summary>Which way a series is heading, as far as the evidence allows saying so.</summary>
public enum TrendDirection
{
    Increasing,
    Decreasing,
    Stable,
}
