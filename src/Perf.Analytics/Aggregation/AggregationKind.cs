namespace Perf.Analytics.Aggregation;

/// <summary>How the values of one interval bucket are reduced to a single value.</summary>
public enum AggregationKind
{
    Avg,
    Min,
    Max,
    Sum,
    Count,
    Last,
    P50,
    P95,
    P99,
}
