using Perf.Analytics.Compression;

namespace Perf.Analytics.Analysis;

/// <summary>
/// Pearson, Spearman and lagged cross-correlation between two bucketed series, paired by equal timestamps.
/// </summary>
/// <remarks>
/// Pairing by timestamp rather than by position keeps a gap in one series from shifting every later pair. Pairs where
/// either value is not finite are dropped. Each series should hold one point per bucket; if b repeats a timestamp, its
/// last value there is used.
/// </remarks>
public static class Correlation
{
    /// <summary>A coefficient rests on at least this many pairs; below it is NaN.</summary>
    public const int MinPairs = 3;

    /// <summary>
    /// Correlates <paramref name="a"/> with <paramref name="b"/>, and finds the shift in -maxLagBuckets..+maxLagBuckets
    /// (b's timestamps moved by lag × bucketMs) with the largest |Pearson|. Positive lag: b follows a, i.e. b at
    /// t + lag × bucketMs moves with a at t. Among equally strong shifts the smallest |lag| wins.
    /// </summary>
    public static CorrelationResult Compute(IReadOnlyList<DataPoint> a, IReadOnlyList<DataPoint> b, long bucketMs, int maxLagBuckets)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketMs);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLagBuckets);

        var bByTimestamp = ByTimestamp(b);
        var (x, y) = Pairs(a, bByTimestamp, 0);
        var pearson = Pearson(x, y);

        var bestLag = 0;
        var bestCorrelation = pearson;
        for (var magnitude = 1; magnitude <= maxLagBuckets; magnitude++)
        {
            foreach (var lag in (ReadOnlySpan<int>)[magnitude, -magnitude])
            {
                var (shiftedX, shiftedY) = Pairs(a, bByTimestamp, checked(lag * bucketMs));
                var r = Pearson(shiftedX, shiftedY);
                if (!double.IsNaN(r) && (double.IsNaN(bestCorrelation) || Math.Abs(r) > Math.Abs(bestCorrelation)))
                    (bestLag, bestCorrelation) = (lag, r);
            }
        }

        return new CorrelationResult(pearson, Spearman(x, y), bestLag, bestCorrelation, x.Length);
    }

    /// <summary>Spearman's rank correlation of the pairs <paramref name="a"/> and <paramref name="b"/> have at equal timestamps.</summary>
    public static double Spearman(IReadOnlyList<DataPoint> a, IReadOnlyList<DataPoint> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (x, y) = Pairs(a, ByTimestamp(b), 0);
        return Spearman(x, y);
    }

    /// <summary>Pearson's r of paired samples; NaN with fewer than <see cref="MinPairs"/> or when either side is constant.</summary>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("one y per x", nameof(y));
        var n = x.Length;
        if (n < MinPairs) return double.NaN;
        double meanX = 0, meanY = 0;
        for (var i = 0; i < n; i++) (meanX, meanY) = (meanX + x[i], meanY + y[i]);
        (meanX, meanY) = (meanX / n, meanY / n);
        // Centred sums, not the one-pass formula: utilisation series sit far from zero with small swings, where
        // Σxy - n·x̄·ȳ cancels catastrophically.
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            var dx = x[i] - meanX;
            var dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    /// <summary>Spearman's rho: Pearson's r of the ranks, tied values sharing their average rank (as scipy.stats.spearmanr).</summary>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("one y per x", nameof(y));
        if (x.Length < MinPairs) return double.NaN;
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>1-based ranks; a run of equal values all get the mean of the ranks they span.</summary>
    internal static double[] AverageRanks(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        var sortedValues = values.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        Array.Sort(sortedValues, order);
        var ranks = new double[n];
        for (var start = 0; start < n;)
        {
            var end = start + 1;
            while (end < n && sortedValues[end] == sortedValues[start]) end++;
            var averageRank = (start + 1 + end) / 2.0;
            for (var k = start; k < end; k++) ranks[order[k]] = averageRank;
            start = end;
        }
        return ranks;
    }

    private static Dictionary<long, double> ByTimestamp(IReadOnlyList<DataPoint> series)
    {
        var byTimestamp = new Dictionary<long, double>(series.Count);
        foreach (var point in series)
        {
            if (double.IsFinite(point.Value)) byTimestamp[point.TimestampMs] = point.Value;
        }
        return byTimestamp;
    }

    /// <summary>a's value at t with b's value at t + <paramref name="shiftMs"/>, for every t where both are finite.</summary>
    private static (double[] X, double[] Y) Pairs(IReadOnlyList<DataPoint> a, Dictionary<long, double> bByTimestamp, long shiftMs)
    {
        var x = new List<double>(a.Count);
        var y = new List<double>(a.Count);
        foreach (var point in a)
        {
            if (double.IsFinite(point.Value) && bByTimestamp.TryGetValue(point.TimestampMs + shiftMs, out var other))
            {
                x.Add(point.Value);
                y.Add(other);
            }
        }
        return ([.. x], [.. y]);
    }
}
