using System.Buffers;

namespace Perf.Analytics.Trend;

/// <summary>
/// Fits a <see cref="TrendLine"/> with the Theil–Sen estimator: the slope is the median of the slopes between every pair
/// of samples, the value at the origin the median of what each sample says it is given that slope.
/// </summary>
/// <remarks>
/// Robust rather than least squares: up to about 29% of the samples can be spikes (a backup filling the disk for ten
/// minutes, a counter reset) without moving the line much, where one outlier is enough to tilt a least-squares fit and
/// make a rule predict a crossing that is not coming. The price is n(n-1)/2 pair slopes: 32,640 for 256 samples,
/// selected in linear time in a pooled buffer, so a fit allocates nothing.
/// </remarks>
public static class TrendFit
{
    /// <summary>The line through the samples, with x in seconds from <paramref name="originMs"/>; false when there are
    /// fewer than two distinct timestamps (no slope to speak of).</summary>
    public static bool TryTheilSen(ReadOnlySpan<long> timestampsMs, ReadOnlySpan<double> values, long originMs, out TrendLine line) =>
        TryTheilSen(timestampsMs, values, originMs, out line, out _);

    /// <summary>
    /// <see cref="TryTheilSen(ReadOnlySpan{long}, ReadOnlySpan{double}, long, out TrendLine)"/> with the 95 % confidence
    /// interval of the slope (per second): the pair slopes at the ranks (N ∓ 1.96·√Var S)/2 around the median, as
    /// Sen (1968) gives it from the Kendall statistic's variance.
    /// </summary>
    public static bool TryTheilSen(ReadOnlySpan<long> timestampsMs, ReadOnlySpan<double> values, long originMs, out TrendLine line,
        out (double Low, double High) slopeInterval)
    {
        if (timestampsMs.Length != values.Length) throw new ArgumentException("one value per timestamp", nameof(values));
        line = default;
        slopeInterval = (double.NaN, double.NaN);
        var n = timestampsMs.Length;
        if (n < 2) return false;
        var buffer = ArrayPool<double>.Shared.Rent(Math.Max(n * (n - 1) / 2, n));
        try
        {
            var count = 0;
            for (var i = 0; i < n - 1; i++)
            for (var j = i + 1; j < n; j++)
            {
                var seconds = (timestampsMs[j] - timestampsMs[i]) / 1000.0;
                if (seconds != 0) buffer[count++] = (values[j] - values[i]) / seconds;
            }
            if (count == 0) return false;
            var slope = MedianInPlace(buffer.AsSpan(0, count));
            var spread = 1.96 * Math.Sqrt((double)n * (n - 1) * (2 * n + 5) / 18);
            // Ranks M1 = (N - C)/2 and M2 + 1 = (N + C)/2 + 1, counted from 1.
            var lower = (int)Math.Round((count - spread) / 2) - 1;
            var upper = (int)Math.Round((count + spread) / 2);
            slopeInterval = (lower >= 0 ? Select(buffer.AsSpan(0, count), lower) : double.NegativeInfinity,
                upper < count ? Select(buffer.AsSpan(0, count), upper) : double.PositiveInfinity);
            for (var i = 0; i < n; i++) buffer[i] = values[i] - slope * ((timestampsMs[i] - originMs) / 1000.0);
            line = new TrendLine(slope, MedianInPlace(buffer.AsSpan(0, n)));
            return double.IsFinite(line.SlopePerSecond) && double.IsFinite(line.ValueAtOrigin);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>The median (the mean of the middle two for an even count); reorders <paramref name="values"/>.</summary>
    internal static double MedianInPlace(Span<double> values)
    {
        var k = values.Length / 2;
        var upper = Select(values, k);
        if (values.Length % 2 == 1) return upper;
        // Select leaves everything below position k no greater than the k-th: the lower middle is their maximum.
        var lower = values[0];
        for (var i = 1; i < k; i++) lower = Math.Max(lower, values[i]);
        return (lower + upper) / 2;
    }

    /// <summary>
    /// The k-th smallest value (Hoare's selection), in expected linear time. Hoare's partition moves values equal to the
    /// pivot to both sides, so the many equal slopes of a perfectly steady series do not make it quadratic.
    /// </summary>
    private static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            var pivot = MedianOfThree(a[lo], a[lo + (hi - lo) / 2], a[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i > j) break;
                (a[i], a[j]) = (a[j], a[i]);
                i++;
                j--;
            }
            // Now a[lo..j] <= pivot <= a[i..hi], and anything strictly between j and i equals the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    private static double MedianOfThree(double a, double b, double c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
