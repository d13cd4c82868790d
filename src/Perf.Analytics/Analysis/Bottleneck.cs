using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;

namespace Perf.Analytics.Analysis;

/// <summary>
/// Which resource limits a system: the one that saturates first, and the one response time follows most closely.
/// </summary>
/// <remarks>
/// Two answers because they can differ: memory may fill first while response time tracks disk. Spearman rather than
/// Pearson because latency grows non-linearly with utilisation (slowly, then sharply near saturation), and a rank
/// correlation credits any monotonic relationship fully. Non-finite values are ignored throughout; ties go to the
/// metric name that sorts first (ordinal), so the answer does not depend on dictionary order.
/// </remarks>
public static class Bottleneck
{
    /// <param name="resources">Utilisation in percent per metric name, bucketed like <paramref name="responseTime"/>.</param>
    /// <param name="responseTime">Response times on the same buckets (paired by equal timestamps), or null.</param>
    /// <param name="saturationLevel">The utilisation, in percent, from which a resource counts as saturated.</param>
    public static BottleneckResult Find(IReadOnlyDictionary<string, IReadOnlyList<DataPoint>> resources,
        IReadOnlyList<DataPoint>? responseTime, double saturationLevel = 90)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (!double.IsFinite(saturationLevel))
            throw new ArgumentOutOfRangeException(nameof(saturationLevel), saturationLevel, "Must be finite.");

        var saturations = new List<ResourceSaturation>(resources.Count);
        foreach (var (metric, points) in resources.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var series = FiniteSeries.InTimeOrder(points);
            var values = series.Select(p => p.Value).ToArray();
            var p95 = Downsampler.Reduce(values, AggregationKind.P95);
            long? reached = Array.FindIndex(series, p => p.Value >= saturationLevel) is var index and >= 0 ? series[index].TimestampMs : null;
            double? spearman = responseTime is null ? null : Correlation.Spearman(series, responseTime) is var rho && double.IsNaN(rho) ? null : rho;
            saturations.Add(new ResourceSaturation(metric, p95, reached, spearman));
        }

        ResourceSaturation? first = null;
        foreach (var resource in saturations)
        {
            if (resource.ReachedSaturationMs is { } at && (first?.ReachedSaturationMs is not { } best || at < best)) first = resource;
        }
        if (first is null)
        {
            foreach (var resource in saturations)
            {
                if (!double.IsNaN(resource.P95) && (first is null || resource.P95 > first.P95)) first = resource;
            }
        }

        ResourceSaturation? explains = null;
        foreach (var resource in saturations)
        {
            if (resource.ResponseTimeSpearman is { } rho
                && (explains?.ResponseTimeSpearman is not { } best || Math.Abs(rho) > Math.Abs(best))) explains = resource;
        }

        return new BottleneckResult(first?.Metric, first?.ReachedSaturationMs, explains?.Metric, explains?.ResponseTimeSpearman, saturations);
    }
}
