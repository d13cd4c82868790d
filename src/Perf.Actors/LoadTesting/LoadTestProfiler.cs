using System.Text.Json.Nodes;
using Akka.Actor;
using Perf.Actors.Analysis;
using Perf.Analytics.Analysis;
using static Perf.Actors.Analysis.AnalysisProtocol;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Actors.LoadTesting;

/// <summary>
/// The profile of a load test: which of the target host's own series rose with the load (Spearman of each against the
/// test's responses per second, on one-second buckets, and its mean in the busier half of the seconds against the
/// quieter half), and the analysis API's bottleneck analysis of the target host over the test's window (the
/// <see cref="AnalysisActor"/>, unchanged). Reads go to the series actors; nothing here holds state.
/// </summary>
/// <param name="analysis">the node's analysis actor, looked up when first needed (it is started after the singletons).</param>
public sealed class LoadTestProfiler(IActorRef seriesRegion, IActorRef hostRegion, Func<IActorRef> analysis)
{
    /// <summary>Series of the target host compared at most (each is one read).</summary>
    public const int MaxSeries = 64;

    /// <summary>A series counts as rising with the load from this rank correlation on (and a higher mean when busier).</summary>
    public const double RoseAt = 0.5;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public async Task<string> ProfileAsync(LoadTestJob job, long untilMs)
    {
        var from = job.StartedMs;
        var to = Math.Max(untilMs, from + 1000);
        var bucketMs = Math.Max(1000, (to - from + AnalysisActor.MaxBuckets - 1) / AnalysisActor.MaxBuckets / 1000 * 1000);
        var (load, _) = await AnalysisActor.ReadSeriesAsync(seriesRegion, LoadTestJob.HostOf(job.Id), LoadTestRecorder.ThroughputMetric, from, to, bucketMs, false)
            .ConfigureAwait(false);
        var (latency, _) = await AnalysisActor.ReadSeriesAsync(seriesRegion, LoadTestJob.HostOf(job.Id), LoadTestRecorder.P95Metric, from, to, bucketMs, false)
            .ConfigureAwait(false);
        var profile = new JsonObject
        {
            ["id"] = job.Id,
            ["host"] = LoadTestJob.HostOf(job.Id),
            ["target_host"] = job.Spec.TargetHost.Length == 0 ? null : job.Spec.TargetHost,
            ["start"] = Iso(from),
            ["end"] = Iso(to),
            ["step_seconds"] = bucketMs / 1000,
            ["load_series"] = LoadTestRecorder.ThroughputMetric,
            ["load_points"] = load.Length,
            ["latency_follows_load"] = Round(Correlation.Spearman(load, latency)),
        };
        if (job.Spec.TargetHost.Length == 0)
        {
            profile["resources"] = new JsonArray();
            profile["rose_with_load"] = new JsonArray();
            profile["bottleneck"] = null;
            profile["note"] = "no target_host was given with the test: nothing to correlate the load with";
            return profile.ToJsonString();
        }

        var host = job.Spec.TargetHost;
        var metrics = await hostRegion.Ask<object>(new GetHost(host), AskTimeout).ConfigureAwait(false) is HostView view
            ? view.Series.Select(s => s.Metric).Order(StringComparer.Ordinal).Take(MaxSeries).ToArray()
            : [];
        var reads = await Task.WhenAll(metrics.Select(async m =>
            (Metric: m, Points: (await AnalysisActor.ReadSeriesAsync(seriesRegion, host, m, from, to, bucketMs, false).ConfigureAwait(false)).Points)))
            .ConfigureAwait(false);
        var median = load.Length == 0 ? 0 : load.Select(p => p.Value).Order().ElementAt(load.Length / 2);
        var busy = load.Where(p => p.Value >= median).Select(p => p.TimestampMs).ToHashSet();
        var resources = reads.Where(r => r.Points.Length > 0).Select(r =>
        {
            var rho = Correlation.Spearman(load, r.Points);
            var high = r.Points.Where(p => busy.Contains(p.TimestampMs)).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
            var low = r.Points.Where(p => !busy.Contains(p.TimestampMs)).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
            return (r.Metric, Rho: rho, Low: low, High: high, Rose: rho >= RoseAt && high > low);
        }).OrderByDescending(r => double.IsNaN(r.Rho) ? double.MinValue : r.Rho).ToArray();
        profile["resources"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject
        {
            ["metric"] = r.Metric,
            ["spearman"] = Round(r.Rho),
            ["mean_at_low_load"] = Round(r.Low),
            ["mean_at_high_load"] = Round(r.High),
            ["rose_with_load"] = r.Rose,
        })]);
        profile["rose_with_load"] = new JsonArray([.. resources.Where(r => r.Rose).Select(r => (JsonNode)r.Metric)]);
        profile["bottleneck"] = await BottleneckAsync(host, metrics, from, to).ConfigureAwait(false);
        return profile.ToJsonString();
    }

    /// <summary>The analyze endpoint's bottleneck analysis of the target host over the window, as it would answer it.</summary>
    private async Task<JsonNode?> BottleneckAsync(string host, string[] metrics, long from, long to)
    {
        if (metrics.Length == 0) return new JsonObject { ["error"] = $"host '{host}' has no series" };
        var request = new Analyze(host, "bottleneck", metrics.Take(10).ToArray(), from, to, false, false, false);
        return await analysis().Ask<object>(request, AskTimeout).ConfigureAwait(false) switch
        {
            AnalysisDocument document => JsonNode.Parse(document.Json),
            AnalysisFailed failed => new JsonObject { ["error"] = failed.Message },
            var other => new JsonObject { ["error"] = $"unexpected answer {other.GetType().Name}" },
        };
    }

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonNode? Round(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 4)) : null;
}
