using Perf.Analytics.Analysis;
using Perf.Analytics.Trend;

namespace Perf.Actors.Reports;

/// <summary>
/// One metric of one host over the report's range, computed from the bucket averages (the same data the CSV holds, so a
/// reader can check every figure), except <see cref="Min"/> and <see cref="Max"/>: those are of the raw points, so a
/// spike inside a bucket is not averaged away.
/// </summary>
/// <param name="Line">the Theil–Sen line through the buckets since the last level shift (all of them without one), x in
/// seconds from the report's start; null with fewer than two buckets.</param>
/// <param name="LineFromMs">the first bucket the line is fitted to (the report's first, or the first after a level shift).</param>
/// <param name="SlopeInterval">the 95 % confidence interval of the line's slope, per second (NaN without a line).</param>
public sealed record MetricSummary(double Min, double Avg, double Max, double P95, double Last, int Buckets, TrendResult Trend, TrendLine? Line, long LineFromMs,
    (double Low, double High) SlopeInterval);
