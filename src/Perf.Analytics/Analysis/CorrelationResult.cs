namespace Perf.Analytics.Analysis;

/// <summary>What <see cref="Correlation.Compute"/> found; NaN wherever a coefficient is undefined.</summary>
/// <param name="Pearson">Linear correlation of the values at the timestamps both series have.</param>
/// <param name="Spearman">Rank correlation of the same pairs (ties get average ranks).</param>
/// <param name="BestLagBuckets">The shift with the strongest correlation; positive when b follows a. 0 when no shift had one.</param>
/// <param name="BestLagCorrelation">Pearson correlation at that shift (signed).</param>
/// <param name="Samples">How many aligned, finite pairs there were without shifting.</param>
public sealed record CorrelationResult(double Pearson, double Spearman, int BestLagBuckets, double BestLagCorrelation, int Samples);
