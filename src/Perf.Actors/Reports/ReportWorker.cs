using Perf.Storage.Reports;
using Akka.Actor;
using Perf.Actors.Analysis;
using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using static Perf.Actors.Series.SeriesQueries;
using static Perf.Actors.Reports.ReportWorkerMessages;

namespace Perf.Actors.Reports;

/// <summary>
/// Makes one report, a child of <see cref="ReportJobs"/> so the singleton stays responsive: gathers bucket averages and
/// anomalies from the series (as <see cref="AnalysisActor"/> does), then renders and writes the file off the actor's
/// thread into the <see cref="ReportStore"/>, telling its parent how far it got. Stops itself once it has reported the outcome.
/// </summary>
public sealed class ReportWorker : ReceiveActor
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public ReportWorker(ReportJob job, IActorRef seriesRegion, PerfSettings settings, TimeProvider clock, ReportStore store, ReportContextSources? context = null)
    {
        var parent = Context.Parent;
        Receive<Finished>(finished => { parent.Tell(finished); Context.Stop(Self); });
        Receive<Failed>(failed => { parent.Tell(failed); Context.Stop(Self); });
        Task.Run(() => RunAsync(job, seriesRegion, settings, clock, store, parent, context)).PipeTo(Self);
    }

    public static Props Props(ReportJob job, IActorRef seriesRegion, PerfSettings settings, TimeProvider clock, ReportStore store,
        ReportContextSources? context = null) =>
        Akka.Actor.Props.Create(() => new ReportWorker(job, seriesRegion, settings, clock, store, context));

    private static async Task<object> RunAsync(ReportJob job, IActorRef seriesRegion, PerfSettings settings, TimeProvider clock, ReportStore store,
        IActorRef parent, ReportContextSources? context)
    {
        try
        {
            var spec = job.Spec;
            var bucketMs = AnalysisActor.BucketFor(spec.ToMs - spec.FromMs, settings.Performance.CollectionInterval);
            var pairs = spec.Hosts.SelectMany(h => spec.Metrics.Select(m => (Host: h, Metric: m))).ToArray();
            var metrics = new MetricReport[pairs.Length];
            var gathered = 0;
            // A few series at a time: a report over many hosts must not flood the shards ahead of ingestion.
            await Parallel.ForEachAsync(Enumerable.Range(0, pairs.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                metrics[i] = await GatherAsync(seriesRegion, spec, pairs[i].Host, pairs[i].Metric, bucketMs, settings).ConfigureAwait(false);
                parent.Tell(new Progressed(job.Id, 0.7 * Interlocked.Increment(ref gathered) / pairs.Length));
            }).ConfigureAwait(false);

            var hosts = context is null ? null : await ContextAsync(context, spec).ConfigureAwait(false);
            var data = new ReportData(job.Id, spec, bucketMs, clock.GetUtcNow().ToUnixTimeMilliseconds(), metrics, hosts);
            using var file = new MemoryStream();
            switch (spec.Format)
            {
                case "pdf": PdfReportWriter.Write(data, file); break;
                case "json": JsonReportWriter.Write(data, file); break;
                default:
                    await using (var text = new StreamWriter(file, new System.Text.UTF8Encoding(false), leaveOpen: true))
                    {
                        if (spec.Format == "html") HtmlReportWriter.Write(data, text);
                        else CsvReportWriter.Write(data, text);
                    }
                    break;
            }
            var content = file.ToArray();
            await store.SaveAsync(job.Id, spec.Format, content).ConfigureAwait(false);
            return new Finished(job.Id, content.Length);
        }
        catch (Exception e)
        {
            return new Failed(job.Id, e is AskTimeoutException ? "the series did not answer in time; try a shorter time_range" : $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Per host: its alert transitions in the range (one read of the alert log) and its current recommendations.</summary>
    private static async Task<IReadOnlyDictionary<string, HostContext>> ContextAsync(ReportContextSources context, ReportSpec spec)
    {
        var log = await context.ReadAlerts(CancellationToken.None).ConfigureAwait(false);
        var hosts = new Dictionary<string, HostContext>();
        foreach (var host in spec.Hosts)
        {
            var recommendations = await context.HostRegion.Ask<object>(new Optimization.OptimizerQueries.GetRecommendations(host), AskTimeout)
                .ConfigureAwait(false) is Optimization.OptimizerQueries.RecommendationsView view ? view.Current : [];
            var alerts = log.Where(t => t.Host == host && t.TimestampMs >= spec.FromMs && t.TimestampMs <= spec.ToMs).ToArray();
            hosts[host] = new HostContext(alerts, recommendations);
        }
        return hosts;
    }

    private static async Task<MetricReport> GatherAsync(IActorRef seriesRegion, ReportSpec spec, string host, string requested, long bucketMs, PerfSettings settings)
    {
        var series = AnalysisActor.SeriesOf(requested);
        var (points, anomalies) = await AnalysisActor.ReadSeriesAsync(seriesRegion, host, series, spec.FromMs, spec.ToMs, bucketMs, withAnomalies: true)
            .ConfigureAwait(false);
        var extremes = points.Length == 0 ? null : await ExtremesAsync(seriesRegion, new SeriesKey(host, series).EntityId, spec.FromMs, spec.ToMs).ConfigureAwait(false);
        return new MetricReport(host, requested, series, points, anomalies,
            ReportSummaries.Of(points, spec.FromMs, settings.Performance.Analysis.TrendMinConfidence, extremes));
    }

    /// <summary>The smallest and largest raw value in the range: the series' own min and max over one bucket as wide as the
    /// range (two at most, where the range straddles a bucket boundary).</summary>
    private static async Task<(double Min, double Max)?> ExtremesAsync(IActorRef seriesRegion, string entityId, long fromMs, long toMs)
    {
        var width = toMs - fromMs + 1;
        var min = await seriesRegion.Ask<object>(new ReadRange(entityId, fromMs, toMs, width, AggregationKind.Min), AskTimeout).ConfigureAwait(false) as RangeResult;
        var max = await seriesRegion.Ask<object>(new ReadRange(entityId, fromMs, toMs, width, AggregationKind.Max), AskTimeout).ConfigureAwait(false) as RangeResult;
        var lows = min?.Values.Where(double.IsFinite).ToArray() ?? [];
        var highs = max?.Values.Where(double.IsFinite).ToArray() ?? [];
        return lows.Length > 0 && highs.Length > 0 ? (lows.Min(), highs.Max()) : null;
    }
}
