namespace Perf.Analytics.Trend;

/// <summary>
/// A straight line through a series' recent samples: <c>value(x) = <see cref="ValueAtOrigin"/> + <see cref="SlopePerSecond"/> × x</c>,
/// with x in seconds from the origin the fit was asked for (usually the newest sample), so predictions stay exact
/// whatever the epoch of the timestamps.
/// </summary>
public readonly record struct TrendLine(double SlopePerSecond, double ValueAtOrigin)
{
    public double ValueAt(double secondsFromOrigin) => ValueAtOrigin + SlopePerSecond * secondsFromOrigin;

    /// <summary>Seconds from the origin until the line is at <paramref name="level"/>: negative when it was there before
    /// the origin, infinite (or NaN) when the line is flat.</summary>
    public double SecondsUntil(double level) => (level - ValueAtOrigin) / SlopePerSecond;
}
