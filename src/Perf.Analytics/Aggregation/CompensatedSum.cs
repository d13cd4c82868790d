namespace Perf.Analytics.Aggregation;

/// <summary>
/// Neumaier summation: buckets can mix large counters with small values, where a naive running sum loses the
/// small ones entirely (1e16 + 1 + -1e16 gives 0 instead of 1).
/// </summary>
internal static class CompensatedSum
{
    public static double Of(ReadOnlySpan<double> values)
    {
        double sum = 0;
        double compensation = 0;
        foreach (double value in values)
        {
            double next = sum + value;
            compensation += Math.Abs(sum) >= Math.Abs(value)
                ? (sum - next) + value
                : (value - next) + sum;
            sum = next;
        }

        // Once the running sum is infinite or NaN the compensation is NaN; the plain sum is the IEEE answer then.
        return double.IsFinite(sum) ? sum + compensation : sum;
    }
}
