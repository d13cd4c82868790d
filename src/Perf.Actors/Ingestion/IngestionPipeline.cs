using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Perf.Actors.Hosts;
using Perf.Actors.Telemetry;
using Perf.Actors.Configuration;
using static Perf.Actors.Hosts.HostCommands;

namespace Perf.Actors.Ingestion;

/// <summary>
/// The write path after decoding: a decoded request (<see cref="SampleBatch"/>) becomes one <see cref="AppendSamples"/>
/// per host, and the request is answered once every host has committed its record. Series the node has not seen are
/// registered with their hosts first (the cardinality guard: a host over its limit refuses the whole request before any
/// host registers anything). At most <see cref="IngestSettings.Parallelism"/> requests are written at once and
/// <see cref="IngestSettings.QueueSize"/> wait; past that, or past <see cref="IngestSettings.MaxInFlightPoints"/>, a request
/// is answered <see cref="IngestStatus.Overloaded"/> at once (the API turns it into 429 or 503), so memory stays bounded.
/// <para>
/// In a cluster, a request waits at most <see cref="UnreachableWriteTimeout"/> while a worker is unreachable (its hosts'
/// appends would wait for the whole write timeout), and the requests in flight when a worker is removed end at once:
/// what they sent it is lost, and sent again they reach the hosts' new owner. Both are answered like a timeout (503,
/// retry), which is safe to repeat.
/// </para>
/// </summary>
public sealed class IngestionPipeline
{
    private readonly IActorRef _hostRegion;
    private readonly IngestSettings _settings;
    private readonly AppendAcknowledgements _acknowledgements;
    private readonly SemaphoreSlim _writing;
    private readonly Func<string?>? _storageShortage;
    // The requests being written, whose deadlines a lost worker brings forward.
    private readonly ConcurrentDictionary<WriteDeadline, byte> _deadlines = new();
    private long _pointsInFlight;
    private int _waiting;
    private volatile string? _unreachableWorker;

    /// <summary>The longest a request waits while a worker is unreachable.</summary>
    public static readonly TimeSpan UnreachableWriteTimeout = TimeSpan.FromSeconds(1);

    /// <param name="storageShortage">why the node's storage cannot take writes now (below its free-space reserve), or null
    /// when it can; asked once per request.</param>
    public IngestionPipeline(ActorSystem system, IActorRef hostRegion, IngestSettings settings, TimeProvider clock, SeriesTable? series = null,
        Func<string?>? storageShortage = null)
    {
        _storageShortage = storageShortage;
        Sources = new SourceActivity(clock);
        Series = series ?? new SeriesTable();
        _hostRegion = hostRegion;
        _settings = settings;
        _acknowledgements = new AppendAcknowledgements(system, hostRegion);
        _writing = new SemaphoreSlim(settings.Parallelism, settings.Parallelism);
        if (((ExtendedActorSystem)system).Provider is Akka.Cluster.IClusterActorRefProvider)
            system.ActorOf(MemberLossWatch.Props(this, ClusterSettings.WorkerRole), "ingest-member-loss-watch");
    }

    /// <summary>The node's interned series, which the decoders resolve names (and remote write's label sets) against.</summary>
    public SeriesTable Series { get; }

    public long PointsInFlight => Interlocked.Read(ref _pointsInFlight);

    /// <summary>The hosts that sent through this node and when (the "source stopped sending" system alert).</summary>
    public SourceActivity Sources { get; }

    /// <summary>Writes a batch of the engine's own making (self-monitoring, load tests): named series, interned here.</summary>
    public async Task<IngestOutcome> SubmitAsync(IngestBatch batch, IngestOrigin origin, CancellationToken cancellationToken = default)
    {
        using var samples = new SampleBatch(batch.PointCount);
        foreach (var host in batch.Hosts)
        foreach (var series in host.Series)
        {
            var reference = Series.Series(host.Host, series.Metric);
            for (var i = 0; i < series.Timestamps.Length; i++) samples.Add(reference, series.Timestamps[i], series.Values[i]);
        }
        return await SubmitAsync(samples, origin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a decoded request; the batch stays the caller's (it disposes it after the answer).</summary>
    public async Task<IngestOutcome> SubmitAsync(SampleBatch batch, IngestOrigin origin, CancellationToken cancellationToken = default)
    {
        var points = batch.Count;
        if (points == 0) return new IngestOutcome(IngestStatus.Stored);
        // The node's own figures are written even then: they are how the shortage is reported (system_disk_space).
        if (origin.Protocol != "self" && _storageShortage?.Invoke() is { } shortage)
        {
            Rejected(points, "disk_full", origin);
            return new IngestOutcome(IngestStatus.InsufficientStorage, Reason: shortage);
        }
        if (Interlocked.Add(ref _pointsInFlight, points) > _settings.MaxInFlightPoints && points < _settings.MaxInFlightPoints)
        {
            Interlocked.Add(ref _pointsInFlight, -points);
            return Overloaded(points, origin);
        }
        var queued = Stopwatch.GetTimestamp();
        var waiting = Interlocked.Increment(ref _waiting);
        try
        {
            if (waiting > _settings.QueueSize + _settings.Parallelism) return Overloaded(points, origin);
            // A caller that gives up (its client went away) while it waits gives its turn up too; once writing, the
            // request runs to its end (its hosts may have its points), so its points stay counted until then.
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Add(ref _pointsInFlight, -points);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        StageProfile.QueueWait.Record(Stopwatch.GetElapsedTime(queued));
        try
        {
            return await WriteAsync(batch, origin).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
            Interlocked.Add(ref _pointsInFlight, -points);
        }
    }

    private static IngestOutcome Overloaded(int points, IngestOrigin origin)
    {
        Rejected(points, "overloaded", origin);
        return new IngestOutcome(IngestStatus.Overloaded);
    }

    private static void Rejected(int points, string reason, IngestOrigin origin) =>
        PerfMetrics.PointsRejected.Add(points, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("protocol", origin.Protocol));

    private async Task<IngestOutcome> WriteAsync(SampleBatch batch, IngestOrigin origin)
    {
        // One deadline for the whole request rather than a scheduled timeout per host.
        using var deadline = new WriteDeadline(_settings.WriteTimeout);
        _deadlines[deadline] = 0;
        if (_unreachableWorker is { } unreachable) deadline.BringForward(UnreachableWriteTimeout, Unreachable(unreachable));
        try
        {
            if (batch.Unregistered() is { } unknown && await RegisterAsync(unknown, batch.Count, origin, deadline.Token).ConfigureAwait(false) is { } refused)
                return refused;
            return await AppendAsync(batch, origin, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException or TimeoutException)
        {
            Rejected(batch.Count, "timeout", origin);
            return new IngestOutcome(IngestStatus.TimedOut, Reason: deadline.Reason);
        }
        catch (HostWriteFailedException e)
        {
            // Answered like a timeout (503, retry): the points of the other hosts may be stored, and a retry overwrites them.
            Rejected(batch.Count, "write_failed", origin);
            return new IngestOutcome(IngestStatus.TimedOut, Reason: e.Message);
        }
        finally
        {
            _deadlines.TryRemove(deadline, out _);
        }
    }

    /// <summary>A worker became unreachable (<paramref name="any"/>), or none is any more.</summary>
    public void WorkersUnreachable(bool any, string member)
    {
        _unreachableWorker = any ? member : null;
        if (!any) return;
        foreach (var deadline in _deadlines.Keys) deadline.BringForward(UnreachableWriteTimeout, Unreachable(member));
    }

    /// <summary>A worker left the cluster: what the requests in flight sent it is lost, so they end now.</summary>
    public void WorkerRemoved(string member)
    {
        foreach (var deadline in _deadlines.Keys) deadline.End($"cluster member {member} was removed while this request was written");
    }

    private static string Unreachable(string member) => $"cluster member {member} is unreachable; its hosts move to the other workers once it is removed";

    /// <summary>
    /// The cardinality guard, for the series the node has not seen: every host of them is asked first, so that one over
    /// its limit refuses the request before any other registers new series; then each registers its new ones and says
    /// their indexes. Two requests racing for a host's last free series can both pass the check; the registration
    /// refuses one.
    /// </summary>
    private async Task<IngestOutcome?> RegisterAsync(Dictionary<HostRef, List<SeriesRef>> unknown, int points, IngestOrigin origin, CancellationToken timeout)
    {
        var hosts = unknown.Keys.ToArray();
        var metrics = hosts.Select(h => unknown[h].Select(s => s.Metric).ToArray()).ToArray();
        var checks = await Task.WhenAll(hosts.Select((h, i) => _hostRegion.Ask<SeriesRegistration>(new CheckSeries(h.Name, metrics[i]), timeout))).ConfigureAwait(false);
        if (Refusal(checks) is { } refused) return refused;
        var registrations = await Task.WhenAll(hosts.Select((h, i) => _hostRegion.Ask<SeriesRegistration>(new RegisterSeries(h.Name, metrics[i]), timeout))).ConfigureAwait(false);
        if (Refusal(registrations) is { } overLimit) return overLimit;
        for (var h = 0; h < hosts.Length; h++)
        {
            var indexes = registrations[h].Indexes ?? throw new InvalidOperationException($"host {hosts[h].Name} accepted its series without their indexes");
            var series = unknown[hosts[h]];
            for (var i = 0; i < series.Count; i++) series[i].Registered(indexes[i]);
        }
        return null;

        IngestOutcome? Refusal(SeriesRegistration[] answers)
        {
            for (var i = 0; i < answers.Length; i++)
            {
                if (answers[i].Accepted) continue;
                if (answers[i].Failure is { } failure)
                {
                    // Answered like a failed append (503, retry): other hosts of the request may have registered theirs.
                    Rejected(points, "write_failed", origin);
                    return new IngestOutcome(IngestStatus.TimedOut, Reason: $"host {hosts[i].Name} could not register its series: {failure}");
                }
                Rejected(points, "cardinality", origin);
                return new IngestOutcome(IngestStatus.CardinalityExceeded, Host: hosts[i].Name, SeriesLimit: answers[i].Limit);
            }
            return null;
        }
    }

    private async Task<IngestOutcome> AppendAsync(SampleBatch batch, IngestOrigin origin, CancellationToken timeout)
    {
        var slices = batch.GroupByHost();
        var hosts = slices.Hosts;
        AppendResult?[] results;
        using (var request = _acknowledgements.Begin(hosts, timeout))
        {
            for (var h = 0; h < hosts.Count; h++)
                _acknowledgements.Send(hosts[h], new AppendSamples(hosts[h].Name, slices.Series, slices.Timestamps, slices.Values, slices.Offsets[h],
                    slices.Counts[h], request.Correlation(h)));
            try
            {
                results = await request.Results.ConfigureAwait(false);
            }
            catch (HostWriteFailedException e) when (e.UnknownSeries)
            {
                // The host has fewer series than this node thought (a restored backup): they register again next time.
                hosts[e.HostIndex].ForgetIndexes();
                throw;
            }
        }
        // Agents are the sources that can stop sending; the engine's own writers (itself, load tests) end by design.
        if (origin.Protocol is not ("self" or "loadtest"))
            for (var h = 0; h < hosts.Count; h++)
                Sources.Seen(hosts[h].Name, NewestOf(slices.Timestamps.AsSpan(slices.Offsets[h], slices.Counts[h])));
        // Every host has answered, so none reads the columns any more (a request that gave up leaves them to the GC).
        slices.Return();

        int accepted = 0, tooOld = 0;
        Dictionary<string, int>? rejectedSeries = null;
        for (var h = 0; h < hosts.Count; h++)
        {
            var result = results[h]!;
            accepted += result.Accepted;
            if (result.RejectedTooOld == 0) continue;
            tooOld += result.RejectedTooOld;
            for (var i = 0; i < (result.RejectedSeries?.Length ?? 0); i++)
                (rejectedSeries ??= [])[NameOf(batch, hosts[h], result.RejectedSeries![i])] = result.RejectedCounts![i];
        }
        PerfMetrics.PointsIngested.Add(accepted, new KeyValuePair<string, object?>("protocol", origin.Protocol), new KeyValuePair<string, object?>("source", origin.Source));
        if (tooOld > 0) Rejected(tooOld, "too_old", origin);
        return new IngestOutcome(IngestStatus.Stored, accepted, tooOld, rejectedSeries);
    }

    private static long NewestOf(ReadOnlySpan<long> timestamps)
    {
        var newest = long.MinValue;
        foreach (var t in timestamps) newest = Math.Max(newest, t);
        return newest;
    }

    /// <summary>The <c>host/metric</c> of a host's series index among the batch's series (only for the rare refusal).</summary>
    private static string NameOf(SampleBatch batch, HostRef host, int index)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var series = batch.SeriesAt(i);
            if (ReferenceEquals(series.Host, host) && series.Index == index) return series.EntityId;
        }
        return host.Name + "/#" + index;
    }
}
