namespace Perf.Analytics.Analysis;

/// <summary>What <see cref="MannKendall.Test"/> found.</summary>
/// <param name="Direction">Increasing or Decreasing only when <paramref name="Confidence"/> reached the level asked for.</param>
/// <param name="SlopePerHour">Theil–Sen slope in value units per hour; 0 when there was nothing to fit.</param>
/// <param name="Confidence">1 - <paramref name="PValue"/>.</param>
/// <param name="PValue">Two-sided p-value of the Mann–Kendall Z; 1 when there was too little data.</param>
/// <param name="KendallTau">Kendall's tau-b between time and value (as scipy.stats.kendalltau), in [-1, 1].</param>
/// <param name="Samples">How many points the statistics rest on (finite ones, after thinning).</param>
public sealed record TrendResult(TrendDirection Direction, double SlopePerHour, double Confidence, double PValue, double KendallTau, int Samples);
