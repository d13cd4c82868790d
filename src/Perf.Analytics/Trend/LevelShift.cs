namespace Perf.Analytics.Trend;

/// <summary>
/// Finds where a series last jumped to a new level that it then held (a memory leak fixed by a restart, a disk cleaned,
/// a deployment), so that a trend line is fitted to the present level rather than across the jump: a line through
/// 40 % then 82 % "rises" and predicts a crossing that is not coming.
/// </summary>
/// <remarks>
/// A shift at <c>k</c> is a difference between the medians of the <see cref="Window"/> values after and before it that
/// the series' own trend does not explain (its median step times the window) by more than <see cref="NoiseMultiple"/>
/// times the larger of the noise and the usual such difference across the series (a cycle's swing makes those large
/// everywhere; a shift is one outlier among them). The noise is the robust spread of the first differences, which a
/// smooth trend does not inflate.
/// Medians over a window make a single spike (or a few) no shift: the level has to hold for more than half the window.
/// </remarks>
public static class LevelShift
{
    /// <summary>Values compared on each side of a candidate shift.</summary>
    public const int Window = 5;

    /// <summary>How many noise standard deviations a jump must clear.</summary>
    public const double NoiseMultiple = 8;

    /// <summary>The index of the first value of the last level, or -1 when the series holds no shift.</summary>
    public static int Last(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        if (n < 2 * Window + 1) return -1;
        var differences = new double[n - 1];
        for (var i = 1; i < n; i++) differences[i - 1] = values[i] - values[i - 1];
        var step = TrendFit.MedianInPlace(differences.AsSpan().ToArray());
        // MAD of the differences, as a standard deviation of one value's noise (a difference carries two).
        var noise = 1.4826 * MedianAbsoluteDeviation(differences, step) / Math.Sqrt(2);

        // How far the level moves between the windows before and after each k, beyond what the trend moves it.
        var moves = new double[n - 2 * Window + 1];
        Span<double> window = stackalloc double[Window];
        for (var k = Window; k <= n - Window; k++)
        {
            values.Slice(k, Window).CopyTo(window);
            var after = TrendFit.MedianInPlace(window);
            values.Slice(k - Window, Window).CopyTo(window);
            moves[k - Window] = after - TrendFit.MedianInPlace(window) - step * Window;
        }
        // A cycle moves it too, back and forth all the time: a shift is a move far beyond both the noise and the moves
        // the series makes anyway.
        var usual = 1.4826 * MedianAbsoluteDeviation(moves, TrendFit.MedianInPlace(moves.AsSpan().ToArray()));
        var threshold = NoiseMultiple * Math.Max(Math.Max(noise, usual), 1e-9 * (1 + Math.Abs(values[n - 1])));

        // The window pairs straddle a jump for several k around it: the last run of k over the threshold holds the last
        // jump, and within the run it is where the single largest step is.
        int runEnd = -1, runStart = -1;
        for (var k = n - Window; k >= Window; k--)
        {
            if (Math.Abs(moves[k - Window]) > threshold)
            {
                if (runEnd < 0) runEnd = k;
                runStart = k;
            }
            else if (runEnd >= 0) break;
        }
        if (runEnd < 0) return -1;
        var best = runStart;
        for (var k = runStart; k <= runEnd; k++)
            if (Math.Abs(values[k] - values[k - 1] - step) > Math.Abs(values[best] - values[best - 1] - step)) best = k;
        return best;
    }

    private static double MedianAbsoluteDeviation(double[] values, double center)
    {
        var deviations = new double[values.Length];
        for (var i = 0; i < values.Length; i++) deviations[i] = Math.Abs(values[i] - center);
        return TrendFit.MedianInPlace(deviations);
    }
}
