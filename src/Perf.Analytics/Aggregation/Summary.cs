namespace Perf.Analytics.Aggregation;

/// <summary>Average, extremes and count of a set of values; NaN values propagate into Avg, Min and Max.</summary>
public readonly record struct Summary(double Avg, double Min, double Max, long Count)
{
    /// <summary>Summarises <paramref name="values"/>; with no values Avg, Min and Max are NaN.</summary>
    public static Summary Of(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        }

        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        foreach (double value in values)
        {
            // Math.Min/Max return NaN when either argument is NaN, so a NaN sample is not silently dropped.
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        return new Summary(CompensatedSum.Of(values) / values.Length, min, max, values.Length);
    }
}
