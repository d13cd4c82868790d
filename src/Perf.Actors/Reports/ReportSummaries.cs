using Perf.Analytics.Analysis;
using Perf.Analytics.Compression;
using Perf.Analytics.Trend;

namespace Perf.Actors.Reports;

/// <summary>The figures of a report's tables, pure.</summary>
public static class ReportSummaries
{
    /// <summary>Theil–Sen is quadratic in its samples: longer series are thinned evenly for the line (the test thins its own).</summary>
    private const int MaxLineSamples = 400;

    /// <param name="extremes">the smallest and largest raw value in the range (bucket averages flatten a spike); null:
    /// those of <paramref name="points"/>.</param>
    public static MetricSummary? Of(IReadOnlyList<DataPoint> points, long originMs, double minConfidence, (double Min, double Max)? extremes = null)
    {
        var finite = points.Where(p => double.IsFinite(p.Value)).ToArray();
        if (finite.Length == 0) return null;
        var sorted = finite.Select(p => p.Value).Order().ToArray();
        // The line describes the present level: after a level shift (a restart, a cleanup) only what came since, else a
        // line across the jump "rises" towards a crossing that is not coming.
        var current = LevelShift.Last(finite.Select(p => p.Value).ToArray()) is var shift and >= 0 ? finite[shift..] : finite;
        var stride = Math.Max(1, (current.Length + MaxLineSamples - 1) / MaxLineSamples);
        var thinned = current.Where((_, i) => i % stride == 0).ToArray();
        TrendLine? line = TrendFit.TryTheilSen(thinned.Select(p => p.TimestampMs).ToArray(), thinned.Select(p => p.Value).ToArray(), originMs, out var fit,
            out var slopeInterval)
            ? fit
            : null;
        var (min, max) = extremes ?? (sorted[0], sorted[^1]);
        return new MetricSummary(min, finite.Average(p => p.Value), max, Percentile(sorted, 0.95), finite[^1].Value, finite.Length,
            MannKendall.TestThroughDailyCycle(finite, minConfidence), line, current[0].TimestampMs, slopeInterval);
    }

    /// <summary>The level a capacity report projects utilisation to: 90 percent, where saturation starts to hurt.</summary>
    public const double CapacityLevel = 90;

    /// <summary>
    /// When the Theil–Sen line of <paramref name="summary"/> reaches <see cref="CapacityLevel"/>, measured from the
    /// report's end: zero when the line is already there, null when it is not rising (or there is no line).
    /// </summary>
    public static TimeSpan? TimeToCapacity(MetricSummary summary, long originMs, long endMs)
    {
        if (summary.Line is not { } line) return null;
        var endSeconds = (endMs - originMs) / 1000.0;
        if (line.ValueAt(endSeconds) >= CapacityLevel) return TimeSpan.Zero;
        if (line.SlopePerSecond <= 0) return null;
        var seconds = line.SecondsUntil(CapacityLevel) - endSeconds;
        return seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// When the line reaches <see cref="CapacityLevel"/> at the slopes of the 95 % interval, from the report's end: the
    /// earliest (the steepest slope) and the latest (the gentlest; null when that slope is not rising, so the level may
    /// never be reached). Null as a whole when <see cref="TimeToCapacity"/> is.
    /// </summary>
    public static (TimeSpan Earliest, TimeSpan? Latest)? CapacityInterval(MetricSummary summary, long originMs, long endMs)
    {
        if (TimeToCapacity(summary, originMs, endMs) is not { } expected || summary.Line is not { } line) return null;
        if (expected == TimeSpan.Zero) return (TimeSpan.Zero, TimeSpan.Zero);
        var gap = CapacityLevel - line.ValueAt((endMs - originMs) / 1000.0);
        var (low, high) = summary.SlopeInterval;
        return (Span(gap / Math.Max(high, line.SlopePerSecond)), low > 0 ? Span(gap / low) : null);

        static TimeSpan Span(double seconds) => seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default), of sorted values.</summary>
    public static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    public static string TrendWord(TrendDirection direction) => direction switch
    {
        TrendDirection.Increasing => "increasing",
        TrendDirection.Decreasing => "decreasing",
        _ => "stable",
    };
}
