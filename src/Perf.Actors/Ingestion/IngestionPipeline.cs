using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Configuration;
using Perf.Actors.Hosts;
using Perf.Actors.Series;
using Perf.Actors.Telemetry;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Series.SeriesCommands;

namespace Perf.Actors.Ingestion;

/// <summary>
/// The write path: a bounded Akka.Streams queue of validated batches, processed <see cref="IngestSettings.Parallelism"/> at
/// a time. Each batch registers its series with their hosts (cardinality guard), then appends to every series actor and
/// completes when all of them have persisted. A full queue or too many points in flight answer
/// <see cref="IngestStatus.Overloaded"/> at once (the API turns it into 429), so memory stays bounded.
/// </summary>
public sealed class IngestionPipeline
{
    private readonly IActorRef _seriesRegion;
    private readonly IActorRef _hostRegion;
    private readonly IngestSettings _settings;
    private readonly ISourceQueueWithComplete<Job> _queue;
    private readonly AppendAcknowledgements _acknowledgements;
    private long _pointsInFlight;

    public IngestionPipeline(ActorSystem system, IActorRef seriesRegion, IActorRef hostRegion, IngestSettings settings, TimeProvider clock)
    {
        Sources = new SourceActivity(clock);
        _seriesRegion = seriesRegion;
        _hostRegion = hostRegion;
        _settings = settings;
        _acknowledgements = new AppendAcknowledgements(system);
        _queue = Source.Queue<Job>(settings.QueueSize, OverflowStrategy.DropNew)
            .SelectAsyncUnordered(settings.Parallelism, ProcessAsync)
            .To(Sink.Ignore<NotUsed>())
            .Run(system.Materializer());
    }

    public long PointsInFlight => Interlocked.Read(ref _pointsInFlight);

    /// <summary>The hosts that sent through this node and when (the "source stopped sending" system alert).</summary>
    public SourceActivity Sources { get; }

    public async Task<IngestOutcome> SubmitAsync(IngestBatch batch, IngestOrigin origin, CancellationToken cancellationToken = default)
    {
        var points = batch.PointCount;
        if (Interlocked.Add(ref _pointsInFlight, points) > _settings.MaxInFlightPoints && points < _settings.MaxInFlightPoints)
        {
            Interlocked.Add(ref _pointsInFlight, -points);
            return Overloaded(points, origin);
        }
        var job = new Job(batch, origin, Stopwatch.GetTimestamp(), new TaskCompletionSource<IngestOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        var enqueued = false;
        try
        {
            enqueued = await _queue.OfferAsync(job).ConfigureAwait(false) is QueueOfferResult.Enqueued;
        }
        finally
        {
            if (!enqueued) Interlocked.Add(ref _pointsInFlight, -points);
        }
        if (!enqueued) return Overloaded(points, origin);
        // A caller that gives up (its client went away) does not take the job out of the queue: its points stay counted
        // until the job is written (ProcessAsync gives them back), or retrying clients could fill memory past the bound.
        return await job.Outcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IngestOutcome Overloaded(int points, IngestOrigin origin)
    {
        Rejected(points, "overloaded", origin);
        return new IngestOutcome(IngestStatus.Overloaded);
    }

    private static void Rejected(int points, string reason, IngestOrigin origin) =>
        PerfMetrics.PointsRejected.Add(points, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("protocol", origin.Protocol));

    private async Task<NotUsed> ProcessAsync(Job job)
    {
        StageProfile.QueueWait.Record(Stopwatch.GetElapsedTime(job.QueuedAt));
        try
        {
            job.Outcome.TrySetResult(await WriteAsync(job.Batch, job.Origin).ConfigureAwait(false));
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException or TimeoutException)
        {
            Rejected(job.Batch.PointCount, "timeout", job.Origin);
            job.Outcome.TrySetResult(new IngestOutcome(IngestStatus.TimedOut));
        }
        catch (SeriesWriteFailedException)
        {
            // Answered like a timeout (503, retry): the points of the other series may be stored, and a retry overwrites them.
            Rejected(job.Batch.PointCount, "write_failed", job.Origin);
            job.Outcome.TrySetResult(new IngestOutcome(IngestStatus.TimedOut));
        }
        catch (Exception e)
        {
            job.Outcome.TrySetException(e);
        }
        finally
        {
            Interlocked.Add(ref _pointsInFlight, -job.Batch.PointCount);
        }
        return NotUsed.Instance;
    }

    private async Task<IngestOutcome> WriteAsync(IngestBatch batch, IngestOrigin origin)
    {
        // One deadline for the whole request rather than a scheduled timeout per ask: a request fans out to hundreds of
        // series, and a timer each was a measurable share of the write path.
        using var deadline = new CancellationTokenSource(_settings.WriteTimeout);
        var timeout = deadline.Token;
        // The cardinality guard: every host is asked first, so that one over its limit refuses the request before any
        // other registers new series (a request that is refused stores nothing); then only hosts with new series register
        // them. Two requests racing for a host's last free series can both pass the check; the registration refuses one.
        var checks = await AskEveryHostAsync(batch.Hosts, static h => new CheckSeries(h.Host, MetricsOf(h)), timeout).ConfigureAwait(false);
        if (Refusal(batch.Hosts, checks) is { } refused) return refused;
        var fresh = batch.Hosts.Where((_, i) => checks[i].New > 0).ToArray();
        if (fresh.Length > 0
            && Refusal(fresh, await AskEveryHostAsync(fresh, static h => new RegisterSeries(h.Host, MetricsOf(h)), timeout).ConfigureAwait(false)) is { } overLimit)
            return overLimit;

        var appends = new List<(HostSamples Host, SeriesSamples Series)>();
        foreach (var host in batch.Hosts)
        foreach (var series in host.Series)
            appends.Add((host, series));
        using var request = _acknowledgements.Begin(appends.Count, timeout);
        for (var i = 0; i < appends.Count; i++)
        {
            var (host, series) = appends[i];
            var entityId = new SeriesKey(host.Host, series.Metric).EntityId;
            _seriesRegion.Tell(new AppendPoints(entityId, series.Timestamps, series.Values, request.Correlation(i)), _acknowledgements.Collector);
        }
        var results = await request.Results.ConfigureAwait(false);

        int accepted = 0, tooOld = 0;
        Dictionary<string, int>? rejectedSeries = null;
        for (var i = 0; i < appends.Count; i++)
        {
            var outcome = results[i]!;
            accepted += outcome.Accepted;
            if (outcome.RejectedTooOld == 0) continue;
            tooOld += outcome.RejectedTooOld;
            (rejectedSeries ??= [])[new SeriesKey(appends[i].Host.Host, appends[i].Series.Metric).EntityId] = outcome.RejectedTooOld;
        }
        TellLatest(batch);
        // Agents are the sources that can stop sending; the engine's own writers (itself, load tests) end by design.
        if (origin.Protocol is not ("self" or "loadtest")) Sources.Seen(batch.Hosts.Select(h => h.Host));
        PerfMetrics.PointsIngested.Add(accepted, new KeyValuePair<string, object?>("protocol", origin.Protocol), new KeyValuePair<string, object?>("source", origin.Source));
        if (tooOld > 0) Rejected(tooOld, "too_old", origin);
        return new IngestOutcome(IngestStatus.Stored, accepted, tooOld, rejectedSeries);

        // The cardinality guard's answer: the request is refused when any of the asked hosts refused.
        IngestOutcome? Refusal(IReadOnlyList<HostSamples> asked, SeriesRegistration[] answers)
        {
            for (var i = 0; i < answers.Length; i++)
            {
                if (answers[i].Accepted) continue;
                Rejected(batch.PointCount, "cardinality", origin);
                return new IngestOutcome(IngestStatus.CardinalityExceeded, Host: asked[i].Host, SeriesLimit: answers[i].Limit);
            }
            return null;
        }
    }

    private Task<SeriesRegistration[]> AskEveryHostAsync(IEnumerable<HostSamples> hosts, Func<HostSamples, IHostMessage> question, CancellationToken timeout) =>
        Task.WhenAll(hosts.Select(h => _hostRegion.Ask<SeriesRegistration>(question(h), timeout)));

    private static string[] MetricsOf(HostSamples host) => host.Series.Select(s => s.Metric).ToArray();

    /// <summary>The newest point of each series goes to its host for the "latest values" view.</summary>
    private void TellLatest(IngestBatch batch)
    {
        foreach (var host in batch.Hosts)
        {
            var metrics = new string[host.Series.Count];
            var timestamps = new long[host.Series.Count];
            var values = new double[host.Series.Count];
            for (var i = 0; i < host.Series.Count; i++)
            {
                var series = host.Series[i];
                var newest = 0;
                for (var j = 1; j < series.Timestamps.Length; j++)
                    if (series.Timestamps[j] >= series.Timestamps[newest]) newest = j;
                metrics[i] = series.Metric;
                timestamps[i] = series.Timestamps[newest];
                values[i] = series.Values[newest];
            }
            _hostRegion.Tell(new RecordLatest(host.Host, metrics, timestamps, values));
        }
    }

    private sealed record Job(IngestBatch Batch, IngestOrigin Origin, long QueuedAt, TaskCompletionSource<IngestOutcome> Outcome);
}
