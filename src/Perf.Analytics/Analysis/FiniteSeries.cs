using Perf.Analytics.Compression;

namespace Perf.Analytics.Analysis;

/// <summary>The common first step of every analysis: drop what cannot be ranked or averaged, put the rest in time order.</summary>
internal static class FiniteSeries
{
    /// <summary>The points with a finite value, by timestamp; equal timestamps keep their given order.</summary>
    public static DataPoint[] InTimeOrder(IReadOnlyList<DataPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var finite = new List<DataPoint>(points.Count);
        var sorted = true;
        foreach (var point in points)
        {
            if (!double.IsFinite(point.Value)) continue;
            if (finite.Count > 0 && point.TimestampMs < finite[^1].TimestampMs) sorted = false;
            finite.Add(point);
        }
        // Series from storage are already in order; the stable sort is only for hand-built input.
        return sorted ? [.. finite] : [.. finite.OrderBy(p => p.TimestampMs)];
    }
}
