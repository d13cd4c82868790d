using Perf.Analytics.Detection;

namespace Perf.Analytics.Analysis;

/// <summary>
/// The Kruskal–Wallis H test: whether groups of values (the hours of the day, the days of the week) differ by more
/// than chance, judged on ranks so that a few spikes in one group cannot make it stand out on their own.
/// </summary>
internal static class KruskalWallis
{
    /// <summary>
    /// H, corrected for ties, and its p-value from the chi-square approximation with (groups holding values - 1)
    /// degrees of freedom; (0, 1) when there are fewer than two such groups or every value is the same.
    /// </summary>
    /// <param name="groups">The group of each value, in [0, <paramref name="groupCount"/>).</param>
    public static (double H, double PValue) Test(ReadOnlySpan<double> values, ReadOnlySpan<int> groups, int groupCount)
    {
        if (values.Length != groups.Length) throw new ArgumentException("one group per value", nameof(groups));
        var ranks = Correlation.AverageRanks(values);
        var rankSums = new double[groupCount];
        var counts = new int[groupCount];
        for (var i = 0; i < ranks.Length; i++)
        {
            rankSums[groups[i]] += ranks[i];
            counts[groups[i]]++;
        }

        double n = values.Length;
        double weighted = 0;
        var groupsWithValues = 0;
        for (var g = 0; g < groupCount; g++)
        {
            if (counts[g] == 0) continue;
            weighted += rankSums[g] * rankSums[g] / counts[g];
            groupsWithValues++;
        }
        var tieCorrection = 1 - TiedValues.GroupSizes(values).Sum(t => (double)t * t * t - t) / (n * n * n - n);
        if (groupsWithValues < 2 || !(tieCorrection > 0)) return (0, 1);

        var h = (12 / (n * (n + 1)) * weighted - 3 * (n + 1)) / tieCorrection;
        return (h, ChiSquareTail(Math.Max(h, 0), groupsWithValues - 1));
    }

    /// <summary>
    /// P(X &gt; x) for X ~ chi-square(df), by Wilson and Hilferty's normal approximation to (X/df)^(1/3): within about
    /// 1% of the exact tail near the 1% and 5% points for df ≥ 2, which is all a yes/no significance check needs.
    /// </summary>
    internal static double ChiSquareTail(double x, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreesOfFreedom);
        if (!(x > 0)) return 1;
        var spread = 2.0 / (9 * degreesOfFreedom);
        var z = (Math.Cbrt(x / degreesOfFreedom) - (1 - spread)) / Math.Sqrt(spread);
        return Math.Clamp(0.5 * (1 - ErfApproximation.Erf(z / Math.Sqrt(2))), 0, 1);
    }
}
