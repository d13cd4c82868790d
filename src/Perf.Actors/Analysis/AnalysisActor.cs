using Akka.Actor;
using Perf.Actors.Configuration;
using Perf.Actors.Hosts;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;
using static Perf.Actors.Analysis.AnalysisProtocol;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Analysis;

/// <summary>
/// Answers analyze requests on a worker node, next to the series actors that own the data: asks each series for bucket
/// averages and recorded findings over the range (all at once), then composes the answer (<see cref="AnalysisComposer"/>)
/// off the actor's thread. The API host only forwards.
/// </summary>
public sealed class AnalysisActor : ReceiveActor
{
    /// <summary>Buckets per range at most: a day of one-minute buckets.</summary>
    public const int MaxBuckets = 1440;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public AnalysisActor(IActorRef seriesRegion, IActorRef hostRegion, PerfSettings settings)
    {
        Receive<Analyze>(request => AnalyzeAsync(seriesRegion, hostRegion, settings, request).PipeTo(Sender));
    }

    public static Props Props(IActorRef seriesRegion, IActorRef hostRegion, PerfSettings settings) =>
        Akka.Actor.Props.Create(() => new AnalysisActor(seriesRegion, hostRegion, settings));

    /// <summary>
    /// Buckets of the collection interval, or wider so a range holds at most <see cref="MaxBuckets"/>, rounded up to a
    /// whole minute when wider than one (so daily patterns line up with the clock).
    /// </summary>
    public static long BucketFor(long rangeMs, TimeSpan collectionInterval)
    {
        var bucket = Math.Max((long)collectionInterval.TotalMilliseconds, (rangeMs + MaxBuckets - 1) / MaxBuckets);
        return bucket > 60_000 ? (bucket + 59_999) / 60_000 * 60_000 : bucket;
    }

    /// <summary>The series a requested metric names: the document's names map as alert thresholds do, others are series names.</summary>
    public static string SeriesOf(string requested) => requested.Contains('.') ? requested : AlertSettings.SeriesOf(requested);

    private static async Task<object> AnalyzeAsync(IActorRef seriesRegion, IActorRef hostRegion, PerfSettings settings, Analyze request)
    {
        try
        {
            var bucketMs = BucketFor(request.ToMs - request.FromMs, settings.Performance.CollectionInterval);
            var parts = AnalysisComposer.PartsOf(request.AnalysisType, request.DetectAnomalies, request.IdentifyPatterns, request.CalculateCorrelations);
            var metrics = request.Metrics.Select(m => GatherAsync(seriesRegion, settings, request, m, bucketMs, parts.Anomalies)).ToArray();
            var bottleneck = parts.Bottleneck
                ? AnalysisComposer.BottleneckResources.Append(AnalysisComposer.ResponseTimeSeries)
                    .Select(s => GatherAsync(seriesRegion, settings, request, s, bucketMs, withAnomalies: false)).ToArray()
                : [];
            var hostAnomalies = parts.Anomalies
                ? hostRegion.Ask<HostAnomalyProtocol.HostAnomalyList>(new HostAnomalyProtocol.GetHostAnomalies(request.Host, request.FromMs, request.ToMs), AskTimeout)
                : Task.FromResult<HostAnomalyProtocol.HostAnomalyList?>(null)!;
            var gathered = await Task.WhenAll(metrics).ConfigureAwait(false);
            var resources = await Task.WhenAll(bottleneck).ConfigureAwait(false);
            var host = await hostAnomalies.ConfigureAwait(false);
            if (gathered.All(m => m.Points.Count == 0) && resources.All(r => r.Points.Count == 0))
                return new AnalysisFailed("metrics", $"host '{request.Host}' has no points of {string.Join(", ", request.Metrics)} in the range", 404);
            return new AnalysisDocument(await Task.Run(() =>
                AnalysisComposer.Compose(request, bucketMs, gathered, resources, host, settings.Performance.Analysis.TrendMinConfidence)).ConfigureAwait(false));
        }
        catch (AskTimeoutException)
        {
            return new AnalysisFailed("metrics", "the series did not answer in time; try a shorter time_range", 503);
        }
    }

    private static async Task<SeriesSample> GatherAsync(
        IActorRef seriesRegion, PerfSettings settings, Analyze request, string requested, long bucketMs, bool withAnomalies)
    {
        var series = SeriesOf(requested);
        var (points, anomalies) = await ReadSeriesAsync(seriesRegion, request.Host, series, request.FromMs, request.ToMs, bucketMs, withAnomalies)
            .ConfigureAwait(false);
        var threshold = settings.Alerts.DefaultRules.FirstOrDefault(r => r.Metric == series)?.Warning;
        return new SeriesSample(requested, series, points, anomalies, threshold);
    }

    /// <summary>
    /// A series' bucket averages over <c>[fromMs, toMs]</c> and, when asked, its findings there (not asked for when it
    /// has no points): what analyses and reports are made of. Empty when the series does not exist.
    /// </summary>
    public static async Task<(DataPoint[] Points, Anomaly[] Anomalies)> ReadSeriesAsync(
        IActorRef seriesRegion, string host, string series, long fromMs, long toMs, long bucketMs, bool withAnomalies)
    {
        var entityId = new SeriesKey(host, series).EntityId;
        var points = await seriesRegion.Ask<object>(new ReadRange(entityId, fromMs, toMs, bucketMs, AggregationKind.Avg), AskTimeout)
            .ConfigureAwait(false) is RangeResult range
            ? range.Timestamps.Select((t, i) => new DataPoint(t, range.Values[i])).ToArray()
            : [];
        var anomalies = withAnomalies && points.Length > 0
            && await seriesRegion.Ask<object>(new GetAnomalies(entityId, fromMs, toMs), AskTimeout).ConfigureAwait(false) is AnomalyList list
            ? list.Anomalies
            : [];
        return (points, anomalies);
    }
}
