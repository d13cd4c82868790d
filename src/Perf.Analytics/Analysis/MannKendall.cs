using Perf.Analytics.Compression;
using Perf.Analytics.Detection;
using Perf.Analytics.Trend;

namespace Perf.Analytics.Analysis;

/// <summary>
/// The Mann–Kendall trend test with the Theil–Sen slope: S counts how many later values are above earlier ones minus
/// how many are below, its variance is corrected for tied values, and the continuity-corrected Z gives a two-sided
/// p-value (as pymannkendall's original_test).
/// </summary>
/// <remarks>
/// Rank-based on purpose: performance metrics are skewed and spiky, and a least-squares slope with a t-test would call
/// one burst a trend. The price is O(n²) in the pairs, hence the thinning to <see cref="MaxSamples"/>.
/// </remarks>
public static class MannKendall
{
    /// <summary>Longer series are thinned evenly to this many points (about half a million pairs).</summary>
    public const int MaxSamples = 1000;

    /// <summary>
    /// Tests <paramref name="points"/> for a monotonic trend. Non-finite values are skipped; with fewer than 3 points
    /// left the result is Stable with confidence 0. Points need not be sorted.
    /// </summary>
    /// <param name="minConfidence">In [0, 1]: how sure (1 - p) the test must be before calling a direction.</param>
    public static TrendResult Test(IReadOnlyList<DataPoint> points, double minConfidence)
    {
        if (!(minConfidence is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(minConfidence), minConfidence, "Must be in [0, 1].");
        var series = Thin(FiniteSeries.InTimeOrder(points), MaxSamples);
        var n = series.Length;
        if (n < 3) return new TrendResult(TrendDirection.Stable, 0, 0, 1, 0, n);

        var values = new double[n];
        var timestamps = new long[n];
        for (var i = 0; i < n; i++) (timestamps[i], values[i]) = (series[i].TimestampMs, series[i].Value);

        var statistic = Kendall.Of(values);
        var slopePerHour = TrendFit.TryTheilSen(timestamps, values, timestamps[0], out var line) ? line.SlopePerSecond * 3600 : 0;
        return statistic.Result(slopePerHour, n, minConfidence);
    }

    /// <summary>
    /// <see cref="Test"/>, except through a daily cycle: when the points span at least two days at most an hour apart and
    /// the hours of the day differ (Kruskal–Wallis, p &lt; <see cref="Patterns.PeakSignificance"/>), each hour of the day is
    /// a season of its own (Hirsch and Slack's seasonal Kendall test): S and its variance are summed over the seasons and
    /// the slope is the median of the slopes between points of the same hour. A cycle then neither hides a slow rise
    /// (0.2 %/h under ±25 % a day read as stable) nor passes for a trend (a range from a peak to a trough read as falling).
    /// </summary>
    public static TrendResult TestThroughDailyCycle(IReadOnlyList<DataPoint> points, double minConfidence)
    {
        var series = Thin(FiniteSeries.InTimeOrder(points), MaxSamples);
        if (series.Length < 3 || series[^1].TimestampMs - series[0].TimestampMs < 2 * DayMs
            || (series[^1].TimestampMs - series[0].TimestampMs) / (series.Length - 1) > HourMs)
            return Test(points, minConfidence);
        var hours = Array.ConvertAll(series, p => Patterns.NearestHourOfDay(p.TimestampMs));
        var values = Array.ConvertAll(series, p => p.Value);
        if (KruskalWallis.Test(values, hours, 24).PValue >= Patterns.PeakSignificance) return Test(points, minConfidence);

        var statistic = default(Kendall);
        var slopes = new List<double>();
        for (var hour = 0; hour < 24; hour++)
        {
            var season = series.Where((_, i) => hours[i] == hour).ToArray();
            if (season.Length < 2) continue;
            statistic += Kendall.Of(Array.ConvertAll(season, p => p.Value));
            for (var i = 0; i < season.Length - 1; i++)
            for (var j = i + 1; j < season.Length; j++)
                if (season[j].TimestampMs != season[i].TimestampMs)
                    slopes.Add((season[j].Value - season[i].Value) / ((season[j].TimestampMs - season[i].TimestampMs) / (double)HourMs));
        }
        var slopePerHour = slopes.Count > 0 ? TrendFit.MedianInPlace(slopes.ToArray()) : 0;
        return statistic.Result(slopePerHour, series.Length, minConfidence);
    }

    /// <summary>S with its tie-corrected variance and pair counts; a seasonal test adds up those of its seasons.</summary>
    private readonly record struct Kendall(long S, double Variance, double Pairs, double TiedPairs)
    {
        public static Kendall Of(double[] values)
        {
            var n = values.Length;
            var ties = TiedValues.GroupSizes(values);
            return new Kendall(StatisticS(values),
                ((double)n * (n - 1) * (2 * n + 5) - ties.Sum(t => (double)t * (t - 1) * (2 * t + 5))) / 18,
                (double)n * (n - 1) / 2,
                ties.Sum(t => (double)t * (t - 1) / 2));
        }

        public static Kendall operator +(Kendall a, Kendall b) =>
            new(a.S + b.S, a.Variance + b.Variance, a.Pairs + b.Pairs, a.TiedPairs + b.TiedPairs);

        /// <summary>The continuity-corrected Z's two-sided p-value, tau-b, and the direction at <paramref name="minConfidence"/>.</summary>
        public TrendResult Result(double slopePerHour, int samples, double minConfidence)
        {
            var z = S == 0 || Variance <= 0 ? 0 : (S - Math.Sign(S)) / Math.Sqrt(Variance);
            // erf(0) is 1e-9 in the shared approximation; no evidence at all should read as p = 1 exactly.
            var p = z == 0 ? 1 : Math.Clamp(1 - ErfApproximation.Erf(Math.Abs(z) / Math.Sqrt(2)), 0, 1);
            var tau = Pairs > TiedPairs ? S / Math.Sqrt(Pairs * (Pairs - TiedPairs)) : 0;
            var direction = 1 - p >= minConfidence && S != 0
                ? S > 0 ? TrendDirection.Increasing : TrendDirection.Decreasing
                : TrendDirection.Stable;
            return new TrendResult(direction, slopePerHour, 1 - p, p, tau, samples);
        }
    }

    private const long HourMs = 3_600_000;
    private const long DayMs = 24 * HourMs;

    /// <summary>Sum over i &lt; j of sign(x_j - x_i).</summary>
    internal static long StatisticS(ReadOnlySpan<double> values)
    {
        long s = 0;
        for (var i = 0; i < values.Length - 1; i++)
        {
            var earlier = values[i];
            for (var j = i + 1; j < values.Length; j++) s += Math.Sign(values[j] - earlier);
        }
        return s;
    }

    /// <summary>At most <paramref name="maxCount"/> points spread evenly over the whole series, first and last kept.</summary>
    private static DataPoint[] Thin(DataPoint[] series, int maxCount)
    {
        if (series.Length <= maxCount) return series;
        var thinned = new DataPoint[maxCount];
        var step = (double)(series.Length - 1) / (maxCount - 1);
        for (var i = 0; i < maxCount; i++) thinned[i] = series[(int)Math.Round(i * step)];
        return thinned;
    }
}
