using System.Text.Json;
using Perf.Actors.Hosts;
using Perf.Analytics.Analysis;
using Perf.Analytics.Compression;
using Perf.Analytics.Time;

namespace Perf.Actors.Analysis;

/// <summary>
/// Turns gathered series into the product document's analyze answer, without Akka or I/O: <c>trends.{metric}</c> with
/// the trend (Mann-Kendall with the Theil-Sen slope), its recorded anomalies and its patterns, top-level
/// <c>correlations</c> between every requested pair, and a <c>bottleneck</c>. Which parts appear follows
/// <c>analysis_type</c> and the <c>options</c>.
/// </summary>
public static class AnalysisComposer
{
    /// <summary>Resources a bottleneck is looked for among (utilisation in percent), and what they are measured against.</summary>
    public static readonly IReadOnlyList<string> BottleneckResources = ["cpu.usage", "memory.usage", "disk.usage", "network.usage"];

    public const string ResponseTimeSeries = "application.response_time";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public sealed record Parts(bool Trends, bool Anomalies, bool Patterns, bool Correlations, bool Bottleneck);

    /// <summary>What an analysis type shows, with the options adding anomalies, patterns and correlations to any of them.</summary>
    public static Parts PartsOf(string analysisType, bool detectAnomalies, bool identifyPatterns, bool calculateCorrelations) => analysisType switch
    {
        "trend" => new(true, detectAnomalies, identifyPatterns, calculateCorrelations, false),
        "anomaly" => new(false, true, identifyPatterns, calculateCorrelations, false),
        "pattern" => new(false, detectAnomalies, true, calculateCorrelations, false),
        "correlation" => new(false, detectAnomalies, identifyPatterns, true, false),
        "bottleneck" => new(false, detectAnomalies, identifyPatterns, calculateCorrelations, true),
        "full" => new(true, true, true, true, true),
        _ => throw new ArgumentOutOfRangeException(nameof(analysisType), analysisType, "not an analysis type"),
    };

    public static string Compose(
        AnalysisProtocol.Analyze request, long bucketMs, IReadOnlyList<SeriesSample> metrics, IReadOnlyList<SeriesSample> bottleneckSeries,
        HostAnomalyProtocol.HostAnomalyList? hostAnomalies, double minConfidence)
    {
        var parts = PartsOf(request.AnalysisType, request.DetectAnomalies, request.IdentifyPatterns, request.CalculateCorrelations);
        var trends = new Dictionary<string, object>();
        foreach (var metric in metrics)
        {
            var entry = new Dictionary<string, object?> { ["series"] = metric.Series, ["samples"] = metric.Points.Count };
            if (parts.Trends)
            {
                var trend = MannKendall.TestThroughDailyCycle(metric.Points, minConfidence);
                entry["trend"] = metric.Points.Count < 3 ? "insufficient_data" : trend.Direction.ToString().ToLowerInvariant();
                entry["slope_per_hour"] = Finite(trend.SlopePerHour);
                entry["confidence"] = Finite(trend.Confidence);
                entry["p_value"] = Finite(trend.PValue);
            }
            if (parts.Anomalies)
            {
                entry["anomalies"] = metric.Anomalies.Select(a => new
                {
                    timestamp = TimestampParser.FormatIso(a.TimestampMs),
                    value = Finite(a.Value),
                    threshold = metric.Threshold,
                    detector = a.Detector,
                    kind = a.Kind,
                    score = Finite(a.Score),
                }).ToArray();
            }
            if (parts.Patterns)
            {
                entry["patterns"] = Patterns.Find(metric.Points, bucketMs).Select(p => new
                {
                    type = p.Type,
                    time = p.Time,
                    confidence = Finite(p.Confidence),
                    period_hours = p.PeriodHours,
                }).ToArray();
            }
            trends[metric.Requested] = entry;
        }

        var document = new Dictionary<string, object?>
        {
            ["analysis_type"] = request.AnalysisType,
            ["host"] = request.Host,
            ["start"] = TimestampParser.FormatIso(request.FromMs),
            ["end"] = TimestampParser.FormatIso(request.ToMs),
            ["bucket"] = DurationParser.Format(TimeSpan.FromMilliseconds(bucketMs)),
            ["trends"] = trends,
        };
        if (parts.Correlations) document["correlations"] = Correlations(metrics, bucketMs);
        if (parts.Anomalies && hostAnomalies is not null) document["host_anomalies"] = HostAnomaliesOf(hostAnomalies);
        if (parts.Bottleneck) document["bottleneck"] = BottleneckOf(bottleneckSeries);
        return JsonSerializer.Serialize(document, Json);
    }

    /// <summary>Every requested pair, with the lag (up to a tenth of the range, at most 60 buckets) that correlates best.</summary>
    private static object[] Correlations(IReadOnlyList<SeriesSample> metrics, long bucketMs)
    {
        var pairs = new List<object>();
        for (var i = 0; i < metrics.Count; i++)
        for (var j = i + 1; j < metrics.Count; j++)
        {
            var (a, b) = (metrics[i], metrics[j]);
            var maxLag = Math.Clamp(Math.Min(a.Points.Count, b.Points.Count) / 10, 0, 60);
            var result = Correlation.Compute(a.Points, b.Points, bucketMs, maxLag);
            pairs.Add(new
            {
                metrics = new[] { a.Requested, b.Requested },
                correlation = Finite(result.Pearson),
                pearson = Finite(result.Pearson),
                spearman = Finite(result.Spearman),
                best_lag = Lag(result.BestLagBuckets, bucketMs),
                best_lag_buckets = result.BestLagBuckets,
                best_lag_correlation = Finite(result.BestLagCorrelation),
                samples = result.Samples,
            });
        }
        return [.. pairs];
    }

    /// <summary>A lag of <paramref name="buckets"/> buckets as a duration, signed like the buckets: positive when the
    /// second metric follows the first, negative when it leads.</summary>
    public static string Lag(int buckets, long bucketMs) =>
        (buckets < 0 ? "-" : "") + DurationParser.Format(TimeSpan.FromMilliseconds(Math.Abs((long)buckets) * bucketMs));

    /// <summary>The host model's unusual combinations, with the model's state (it learns for a while after a restart).</summary>
    private static object HostAnomaliesOf(HostAnomalyProtocol.HostAnomalyList list) => new
    {
        model = new { trained = list.TrainedOn > 0, trained_on = list.TrainedOn, features = list.Features },
        anomalies = list.Anomalies.Select(a => new
        {
            timestamp = TimestampParser.FormatIso(a.TimestampMs),
            score = Finite(a.Score),
            threshold = Finite(a.Threshold),
            most_unusual = a.MostUnusual,
            values = a.Features.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => Finite(a.Values[x.i])),
        }).ToArray(),
    };

    private static object BottleneckOf(IReadOnlyList<SeriesSample> series)
    {
        var resources = series.Where(s => s.Series != ResponseTimeSeries && s.Points.Count > 0)
            .ToDictionary(s => s.Series, s => s.Points);
        var responseTime = series.FirstOrDefault(s => s.Series == ResponseTimeSeries && s.Points.Count > 0)?.Points;
        var result = Bottleneck.Find(resources, responseTime);
        return new
        {
            saturates_first = result.SaturatesFirst,
            saturates_at = result.SaturatesAtMs is { } at ? TimestampParser.FormatIso(at) : null,
            explains_response_time = result.ExplainsResponseTime,
            correlation = result.ExplanationCorrelation is { } c ? Finite(c) : null,
            resources = result.Resources.Select(r => new
            {
                metric = r.Metric,
                p95 = Finite(r.P95),
                reached_saturation_at = r.ReachedSaturationMs is { } ms ? TimestampParser.FormatIso(ms) : null,
                response_time_spearman = r.ResponseTimeSpearman is { } rs ? Finite(rs) : null,
            }).ToArray(),
        };
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
