using System.Buffers;
using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Actors.Optimization;
using Perf.Actors.Series;
using Perf.Actors.Telemetry;
using Perf.Analytics.Compression;
using Perf.Storage.Chunks;
using Perf.Storage.Hosts;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Hosts;

/// <summary>
/// One monitored host (sharding entity <c>{host}</c>) and every series it reports: a thin shell over the pure
/// <see cref="HostState"/>. One message per host per request (<see cref="AppendSamples"/>) is decided point by point,
/// run through the series' detectors, applied to the heads in place and written as one record of the host log
/// (<see cref="HostStorage"/>, group-committed with every other host's writes); the sender is answered once that record
/// is committed. Findings, seals and new series are entries of the same records. Snapshots (every series' head,
/// chunk totals and detector state) bound what a recovery replays; a recovery is the latest snapshot plus the records
/// after it, with the points run through the detectors again.
/// <para>
/// Children: an <see cref="AlertActor"/> per series that some rule watches (fed the committed points of that series),
/// the <see cref="OptimizerActor"/> and the <see cref="HostAnomalyActor"/> (fed the newest sample of the series they
/// watch). Series queries (<see cref="ISeriesMessage"/>) are routed here by host and answered for the named series.
/// </para>
/// </summary>
/// <remarks>
/// A write that fails (a full disk, the database away) fails its senders at once; the host then refuses appends until
/// its other writes have finished and rebuilds itself from what was stored, so its state never holds a point that is not
/// stored. A snapshot is taken only when no write is in flight (it must not contain what a failing write would lose),
/// and the log drops the records it covers only once it has committed.
/// </remarks>
public sealed class HostActor : UntypedActor, IWithTimers, IWithUnboundedStash
{
    private const string RetentionTimer = "retention";
    private const string RecoveryRetryTimer = "recover";
    private static readonly TimeSpan RecoveryRetryPause = TimeSpan.FromSeconds(1);
    // Below this many bytes of records since the last snapshot, a snapshot would cost more than the replay it saves.
    private const long MinRecordBytesPerSnapshot = 256 * 1024;
    private static readonly TimeSpan DirectoryTimeout = TimeSpan.FromSeconds(5);

    private readonly string _host;
    private readonly HostSettings _settings;
    private readonly HostStorage _storage;
    private readonly IActorRef _directory;
    private readonly SeriesAlerting _alerting;
    private readonly (OptimizationPolicy Defaults, OptimizerSettings Settings)? _optimization;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HostRecordWriter _record = new();
    // Writes handed to the storage and not answered yet, oldest first: they are answered in this order.
    private readonly Queue<PendingWrite> _inFlight = new();
    // Hosts started together with the same load would otherwise all snapshot at once: each waits its own share longer.
    private readonly double _snapshotSpread;

    private HostState _state = null!;
    private long _sequenceNr;
    private long _snapshotSequenceNr;
    private long _recordsSinceSnapshot;
    private long _bytesSinceSnapshot;
    private long _lastSnapshotBytes;
    private bool _snapshotInFlight;
    private bool _snapshotDue;
    private bool _stopping;
    // A write failed: appends are refused until the writes in flight are answered and the host has recovered again.
    private bool _failed;
    private bool _recovering;
    private IActorRef? _optimizer;
    private IActorRef? _anomalies;
    private readonly Dictionary<int, AlertChild> _alerts = [];
    private readonly Dictionary<IActorRef, int> _alertChildren = [];
    private long _rulesVersion;
    // When this host last showed its shard it is busy (appends come straight from the write path, which the shard does not see).
    private long _shownBusyAtMs;

    public HostActor(string host, HostSettings settings, HostStorage storage, IActorRef directory, SeriesAlerting alerting,
        (OptimizationPolicy Defaults, OptimizerSettings Settings)? optimization, TimeProvider clock)
    {
        _host = host;
        _settings = settings;
        _storage = storage;
        _directory = directory;
        _alerting = alerting;
        _optimization = optimization;
        _clock = clock;
        _shownBusyAtMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // A stable hash (string.GetHashCode changes per process): a host's offset, and so when it snapshots, is the same
        // on every run and every node.
        _snapshotSpread = 1 + XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(host)) % 1000 / 1000.0;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(string host, HostSettings settings, HostStorage storage, IActorRef directory, SeriesAlerting alerting,
        (OptimizationPolicy Defaults, OptimizerSettings Settings)? optimization, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new HostActor(host, settings, storage, directory, alerting, optimization, clock));

    protected override void PreStart() => Recover();

    protected override void PostStop()
    {
        if (_recovering) PerfMetrics.HostRecovered();
        if (_state is not null)
        {
            PerfMetrics.SeriesStopped(_state.Count);
            if (_stopping) PerfMetrics.SeriesPassivated.Add(_state.Count);
        }
        _record.Dispose();
        base.PostStop();
    }

    protected override void OnReceive(object message)
    {
        if (_recovering)
        {
            Recovering(message);
            return;
        }
        switch (message)
        {
            case AppendSamples append when _stopping:
                // Sent straight here by this node's write path: the shard would hold it until this host has stopped.
                Sender.Tell(new AppendReturned(append));
                break;
            case AppendSamples append:
                Append(append);
                break;
            case PendingWrite:
                Complete();
                break;
            case CheckSeries check:
                var (accepted, fresh) = _state.DecideRegistration(check.Metrics, _settings.MaxSeries);
                Sender.Tell(new SeriesRegistration(accepted, _state.Count, _settings.MaxSeries, check.Metrics.Length, fresh.Length));
                break;
            case RegisterSeries register:
                Register(register);
                break;
            case ISeriesMessage series:
                OnSeriesMessage(series);
                break;
            case GetHost:
                Sender.Tell(_state.IsEmpty ? new HostNotFound(_host) : View());
                break;
            case OptimizerCommands.SetPolicy or OptimizerQueries.GetRecommendations:
                Optimizer()?.Forward(message);
                break;
            case HostAnomalyProtocol.GetHostAnomalies query:
                if (_anomalies is null) Sender.Tell(new HostAnomalyProtocol.HostAnomalyList([], [], 0));
                else _anomalies.Forward(query);
                break;
            case AlertProtocol.AlertsReady ready when _alertChildren.TryGetValue(Sender, out var readyIndex):
                AlertsReady(readyIndex, ready.EvaluatedUpToMs);
                break;
            case AlertProtocol.KeepSeriesAlive when _alertChildren.TryGetValue(Sender, out var aliveIndex):
                // A no-data rule watches this silent series: passivation would stop the host and the alert child with it,
                // and the silence would go unnoticed. Sharding measures idleness by the messages its shard delivers, so the
                // keep-alive goes out to the shard and comes back as an entity message.
                Context.Parent.Tell(new KeepAlive(_state[aliveIndex].EntityId));
                break;
            case Terminated dead:
                ChildTerminated(dead.ActorRef);
                break;
            case HostDirectoryCommands.HostListed:
                break; // the directory's answer to a recovery's reminder
            case SnapshotSaved saved:
                _snapshotInFlight = false;
                _snapshotSequenceNr = Math.Max(_snapshotSequenceNr, saved.SequenceNr);
                if (_stopping) Context.Stop(Self);
                break;
            case SnapshotFailed failed:
                // Nothing was deleted: the records the snapshot would have covered are all still there.
                _snapshotInFlight = false;
                _log.Warning(failed.Cause, "Snapshot of host {0} failed; its log records stay until one is stored", _host);
                if (_stopping) Context.Stop(Self);
                break;
            case CheckRetention:
                Retain();
                break;
            case RetentionDone retained:
                Retained(retained);
                break;
            case StopHost:
                // Passivated or handed off: the shard holds new messages until this host has stopped.
                _stopping = true;
                StopWhenSettled();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    // ---- Recovery -------------------------------------------------------------------------------------------------

    private void Recover()
    {
        if (!_recovering) PerfMetrics.HostRecovering();
        _recovering = true;
        _storage.RecoverAsync(_host).PipeTo(Self, success: r => new Recovered(r), failure: e => new RecoveryFailed(e));
    }

    private void Recovering(object message)
    {
        switch (message)
        {
            case Recovered recovered:
                try
                {
                    Restore(recovered.Recovery);
                }
                catch (Exception e)
                {
                    RecoveryFailedWith(e);
                    return;
                }
                _recovering = false;
                PerfMetrics.HostRecovered();
                Stash.UnstashAll();
                break;
            case RecoveryFailed failed:
                RecoveryFailedWith(failed.Cause);
                break;
            case RetryRecovery:
                Recover();
                break;
            case AppendSamples append:
                // Not yet (recovering after a failed write, or the database is away): the sender retries rather than wait.
                if (_failed) Sender.Tell(new AppendFailed($"host {_host} is recovering from a failed write", append.Correlation));
                else Stash.Stash();
                break;
            case PendingWrite or SnapshotSaved or SnapshotFailed or RetentionDone:
                // From before the failure that made this recovery: what was stored is read back anyway.
                break;
            default:
                Stash.Stash();
                break;
        }
    }

    private void RecoveryFailedWith(Exception cause)
    {
        _log.Error(cause, "Host {0} could not recover; trying again in {1}", _host, RecoveryRetryPause);
        _failed = true;
        Timers.StartSingleTimer(RecoveryRetryTimer, RetryRecovery.Instance, RecoveryRetryPause);
        Stash.UnstashAll(); // appends waiting for the recovery are refused now instead of at their deadline
    }

    private void Restore(HostRecovery recovery)
    {
        var started = Stopwatch.GetTimestamp();
        var previousCount = _state?.Count ?? 0;
        var state = recovery.Snapshot is { } snapshot
            ? HostState.FromSnapshot(_host, snapshot, _settings.Detection, _settings.Seal)
            : new HostState(_host, _settings.Detection, _settings.Seal);
        long bytes = 0;
        foreach (var record in recovery.Records)
        {
            state.Replay(record.Payload);
            bytes += record.Payload.Length;
        }
        _state = state;
        _sequenceNr = recovery.HighestSequenceNr;
        _snapshotSequenceNr = recovery.Snapshot?.SequenceNr ?? 0;
        _recordsSinceSnapshot = recovery.Records.Count;
        _bytesSinceSnapshot = bytes;
        _failed = false;
        _snapshotDue = false;
        _rulesVersion = 0;
        if (previousCount > 0) PerfMetrics.SeriesStopped(previousCount);
        PerfMetrics.SeriesStarted(state.Count);
        foreach (var series in state.Series) CountDetectorFailures(series);
        if (!state.IsEmpty)
        {
            // Covers a crash between a host's first series and telling the directory (which is idempotent).
            _directory.Tell(new HostDirectoryCommands.AddHost(_host));
            ReconcileAlerts(); // children catch up on what they missed (AlertsReady)
        }
        var firstCheck = _settings.RetentionCheckEvery < TimeSpan.FromSeconds(30) ? _settings.RetentionCheckEvery : TimeSpan.FromSeconds(30);
        Timers.StartSingleTimer(RetentionTimer, CheckRetention.Instance, firstCheck + Jitter(firstCheck));
        if (recovery.Records.Count > 0)
            _log.Debug("Host {0} recovered {1} series from its snapshot and {2} records in {3:F1} ms", _host, state.Count, recovery.Records.Count,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    // ---- Writes ---------------------------------------------------------------------------------------------------

    private void Append(AppendSamples append)
    {
        if (_failed)
        {
            Sender.Tell(new AppendFailed($"a write of host {_host} failed; it is rebuilding from what was stored", append.Correlation));
            return;
        }
        if (_snapshotDue)
        {
            // A snapshot waits for the writes in flight; new ones wait for it (a few milliseconds).
            Stash.Stash();
            return;
        }
        var end = append.Offset + append.Count;
        for (var i = append.Offset; i < end; i++)
        {
            if ((uint)append.Series[i] < (uint)_state.Count) continue;
            Sender.Tell(new AppendFailed($"host {_host} has no series {append.Series[i]} (it has {_state.Count})", append.Correlation, UnknownSeries: true));
            return;
        }
        ReconcileAlerts();
        var detectStarted = Stopwatch.GetTimestamp();
        var nowMs = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (nowMs - _shownBusyAtMs > _settings.PassivateAfter.TotalMilliseconds / 4)
        {
            _shownBusyAtMs = nowMs;
            Context.Parent.Tell(new KeepAlive(_state[append.Series[append.Offset]].EntityId));
        }
        _record.Reset();
        var pending = new PendingWrite(Sender, append.Correlation);
        List<Anomaly>? found = null;
        for (var i = append.Offset; i < end; i++)
        {
            var index = append.Series[i];
            var series = _state[index];
            var (timestampMs, value) = (append.Timestamps[i], append.Values[i]);
            if (!series.Accept(timestampMs, value))
            {
                pending.Reject(index);
                continue;
            }
            pending.Accepted++;
            _record.Point(index, timestampMs, value);
            series.Observe(timestampMs, value, ref found);
            if (found is { Count: > 0 })
            {
                foreach (var finding in found)
                {
                    _record.Finding(index, finding.ToStored());
                    series.Detection.Keep(finding);
                }
                PerfMetrics.AnomaliesDetected.Add(found.Count);
            }
            if (series.HasAlertsChild) pending.Alert(index, timestampMs, value, found);
            if (series.FeedsHostChildren) pending.Latest(index);
            if (series.Detection.HasFailures) CountDetectorFailures(series);
            found?.Clear();
        }
        var elapsed = Stopwatch.GetElapsedTime(detectStarted);
        StageProfile.Detectors.Record(elapsed);
        if (pending.Accepted > 0) PerfMetrics.DetectorTime.Record(elapsed.TotalMicroseconds / pending.Accepted);
        var chunks = Seal(append);
        if (_record.IsEmpty)
        {
            pending.Reply(_host);
            return;
        }
        Write(pending, chunks);
    }

    /// <summary>Seals the settled heads of the series this append touched, as entries of the record being written.</summary>
    private List<StoredChunk>? Seal(AppendSamples append)
    {
        List<StoredChunk>? chunks = null;
        var end = append.Offset + append.Count;
        for (var i = append.Offset; i < end; i++)
        {
            var index = append.Series[i];
            var series = _state[index];
            var (count, lastMs) = series.PlanSeal();
            if (count == 0) continue;
            var data = series.Head.EncodePrefix(count);
            var seal = new ChunkSeal(series.NextChunkSequence, series.Head.FirstTimestampMs, lastMs, count, data.Length);
            // Fenced by this record's sequence number: a later owner of the host writes higher ones.
            (chunks ??= []).Add(new StoredChunk(series.EntityId, seal.Sequence, seal.FirstMs, seal.LastMs, seal.PointCount, data, _sequenceNr + 1));
            _record.ChunkSealed(index, seal);
            series.ApplySeal(seal);
        }
        return chunks;
    }

    private void Write(PendingWrite pending, List<StoredChunk>? chunks)
    {
        var sequenceNr = ++_sequenceNr;
        var record = _record.Written;
        // The record writer is reused for the next write: the payload goes on in a pooled copy, returned once stored.
        var payload = ArrayPool<byte>.Shared.Rent(record.Length);
        record.CopyTo(payload);
        pending.Start(sequenceNr, record.Length, Self);
        _inFlight.Enqueue(pending);
        _storage.Append(new HostWrite(_host, sequenceNr, payload, record.Length, pooled: true, chunks, pending));
    }

    /// <summary>A write finished: answers every write up to the oldest one still in flight, in order.</summary>
    private void Complete()
    {
        while (_inFlight.TryPeek(out var oldest) && oldest.IsDone)
        {
            _inFlight.Dequeue();
            Answer(oldest);
        }
        if (_inFlight.Count > 0) return;
        if (_failed)
        {
            // Every write is answered: rebuild from what was stored, so the state holds nothing that was not.
            Stash.UnstashAll();
            Recover();
            return;
        }
        if (_stopping) StopWhenSettled();
        else if (_snapshotDue) TakeSnapshot();
    }

    private void Answer(PendingWrite pending)
    {
        if (pending.Error is { } error)
        {
            if (!_failed) _log.Error(error, "A write of host {0} failed; it rebuilds from what was stored", _host);
            _failed = true;
            pending.Fail(error.GetBaseException().Message);
            return;
        }
        var elapsed = pending.Elapsed;
        PerfMetrics.JournalWriteLatency.Record(elapsed.TotalMilliseconds);
        StageProfile.JournalWrite.Record(elapsed);
        PerfMetrics.JournalWritePoints.Record(pending.Accepted);
        pending.Reply(_host);
        pending.OnStored?.Invoke();
        if (pending.AlertPoints is { } alertPoints)
            foreach (var (index, points) in alertPoints) EvaluateAlerts(index, points);
        if (pending.LatestSeries is { } latest) FeedChildren(latest);
        _recordsSinceSnapshot++;
        _bytesSinceSnapshot += pending.Bytes;
        if (!_snapshotInFlight && (_recordsSinceSnapshot >= _settings.SnapshotEvery * _snapshotSpread
            || _bytesSinceSnapshot >= Math.Max(MinRecordBytesPerSnapshot, 2 * _lastSnapshotBytes) * _snapshotSpread))
            _snapshotDue = true;
    }

    // ---- Series registration (the cardinality guard) ---------------------------------------------------------------

    private void Register(RegisterSeries register)
    {
        var (accepted, fresh) = _state.DecideRegistration(register.Metrics, _settings.MaxSeries);
        var replyTo = Sender;
        if (!accepted)
        {
            replyTo.Tell(new SeriesRegistration(false, _state.Count, _settings.MaxSeries, register.Metrics.Length));
            return;
        }
        if (_failed)
        {
            replyTo.Tell(new SeriesRegistration(false, _state.Count, _settings.MaxSeries, register.Metrics.Length,
                Failure: $"a write of host {_host} failed; it is rebuilding from what was stored"));
            return;
        }
        if (fresh.Length == 0)
        {
            replyTo.Tell(new SeriesRegistration(true, _state.Count, _settings.MaxSeries, register.Metrics.Length, 0, Indexes(register.Metrics)));
            return;
        }
        var firstSeries = _state.IsEmpty;
        _record.Reset();
        _record.SeriesAdded(fresh);
        _state.AddSeries(fresh);
        PerfMetrics.SeriesStarted(fresh.Length);
        _rulesVersion = 0; // new series: which rules match them
        var indexes = Indexes(register.Metrics);
        var pending = new PendingWrite(null, 0)
        {
            OnStored = () =>
            {
                var registered = new SeriesRegistration(true, _state.Count, _settings.MaxSeries, register.Metrics.Length, fresh.Length, indexes);
                if (!firstSeries)
                {
                    replyTo.Tell(registered);
                    return;
                }
                // GET /api/v1/hosts reads the directory: a new host's first points are acknowledged only once it is listed,
                // so no backup or crash holds them without it. A directory that does not answer in time (a failover) does
                // not hold the write up; the host tells it again whenever it recovers.
                _directory.Ask<HostDirectoryCommands.HostListed>(new HostDirectoryCommands.AddHost(_host), DirectoryTimeout)
                    .ContinueWith(_ => replyTo.Tell(registered), TaskScheduler.Default);
            },
            // Answered at once rather than left to the sender's timeout; the host rebuilds without these series.
            OnFailed = reason => replyTo.Tell(new SeriesRegistration(false, _state.Count, _settings.MaxSeries, register.Metrics.Length, Failure: reason)),
        };
        Write(pending, null);
    }

    private int[] Indexes(string[] metrics) => Array.ConvertAll(metrics, m => _state.TryGetIndex(m, out var index) ? index : -1);

    // ---- Snapshots, retention, stopping -----------------------------------------------------------------------------

    private void TakeSnapshot()
    {
        _snapshotDue = false;
        if (_snapshotInFlight || _sequenceNr == _snapshotSequenceNr) return;
        _snapshotInFlight = true;
        var sequenceNr = _sequenceNr;
        var payload = HostSnapshotCodec.Encode(_state.ToSnapshot());
        _lastSnapshotBytes = payload.Length;
        _recordsSinceSnapshot = 0;
        _bytesSinceSnapshot = 0;
        _storage.SaveSnapshotAsync(_host, sequenceNr, payload, _clock.GetUtcNow().ToUnixTimeMilliseconds())
            .PipeTo(Self, success: () => new SnapshotSaved(sequenceNr), failure: e => new SnapshotFailed(e));
        Stash.UnstashAll();
    }

    private void StopWhenSettled()
    {
        if (_inFlight.Count > 0 || _snapshotInFlight) return; // the last completion comes back here
        if (_sequenceNr == _snapshotSequenceNr || _failed)
        {
            Context.Stop(Self);
            return;
        }
        TakeSnapshot(); // stops once saved (or failed: the records are still there)
    }

    /// <summary>Drops whole chunks past the retention period, one series at a time per pass (retention is slow work).</summary>
    private void Retain()
    {
        Timers.StartSingleTimer(RetentionTimer, CheckRetention.Instance, _settings.RetentionCheckEvery + Jitter(_settings.RetentionCheckEvery));
        if (_failed || _stopping) return;
        var cutoff = _clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)_settings.RetentionPeriod.TotalMilliseconds;
        for (var index = 0; index < _state.Count; index++)
        {
            var series = _state[index];
            if (series.RetentionInFlight || series.ChunkCount == 0 || series.OldestChunkFirstMs >= cutoff) continue;
            series.RetentionInFlight = true;
            var at = index;
            _storage.Chunks.DeleteExpiredAsync(series.EntityId, cutoff, series.NextChunkSequence)
                .PipeTo(Self, success: expired => new RetentionDone(at, cutoff, expired, null), failure: e => new RetentionDone(at, cutoff, null, e));
        }
    }

    private void Retained(RetentionDone retained)
    {
        var series = _state[retained.Series];
        series.RetentionInFlight = false;
        if (retained.Expired is not { } expired)
        {
            _log.Warning(retained.Error, "Retention of {0} failed; will retry", series.EntityId);
            return;
        }
        var left = expired.Remaining;
        if (expired.DeletedCount == 0 && series.HasChunkTotals(left)) return;
        var retention = new ChunkRetention(retained.CutoffMs, left.ChunkCount, left.ByteCount, left.PointCount, left.OldestFirstMs);
        if (_failed)
        {
            return; // the next pass repairs the totals from what is left
        }
        _record.Reset();
        _record.ChunksRetained(retained.Series, retention);
        series.ApplyRetention(retention);
        Write(new PendingWrite(null, 0), null);
    }

    /// <summary>Up to a third of <paramref name="interval"/> more: hosts started together do not all check at once.</summary>
    private static TimeSpan Jitter(TimeSpan interval) => interval * (Random.Shared.NextDouble() / 3);

    // ---- Series queries and findings ---------------------------------------------------------------------------------

    private void OnSeriesMessage(ISeriesMessage message)
    {
        var metric = SeriesKey.FromEntityId(message.EntityId).Metric;
        var known = _state.TryGetIndex(metric, out var index);
        switch (message)
        {
            case KeepAlive:
                break;
            case ReadRange query when known && !_state[index].IsEmpty:
                Read(_state[index], query);
                break;
            case GetState when known && !_state[index].IsEmpty:
                Sender.Tell(StateOf(_state[index]));
                break;
            case GetAnomalies query when known && !_state[index].IsEmpty:
                var series = _state[index];
                var set = _settings.Detection.For(series.Metric);
                Sender.Tell(new AnomalyList(series.Detection.Anomalies(query.FromMs, query.ToMs), set.Family, [.. set.Detectors.Select(d => d.Name)]));
                break;
            case ReadRange or GetState or GetAnomalies:
                Sender.Tell(new SeriesNotFound(message.EntityId));
                break;
            case RecordFinding recorded when known && !_state[index].IsEmpty && !_failed:
                // A finding made elsewhere (the host model's): kept with the series' own and shown to its anomaly rules.
                _record.Reset();
                _record.Finding(index, recorded.Finding.ToStored());
                _state[index].Detection.Keep(recorded.Finding);
                var findingAt = index;
                Write(new PendingWrite(null, 0) { OnStored = () => EvaluateLateFinding(findingAt, recorded.Finding) }, null);
                break;
            case RecordFinding:
                break; // a series without points has nothing to pin the finding on
            case ReapplyAlertRules reapply when _alerting.Rules.BookVersion < reapply.BookVersion && reapply.Attempt < 50:
                // The changed book reaches this node by publication, this message by the shard: wait for the book.
                Timers.StartSingleTimer(nameof(ReapplyAlertRules) + reapply.EntityId, reapply with { Attempt = reapply.Attempt + 1 }, TimeSpan.FromMilliseconds(100));
                break;
            case ReapplyAlertRules when known && !_state[index].IsEmpty:
                _rulesVersion = 0;
                ReconcileAlerts(startChildOf: index);
                break;
            case ReapplyAlertRules:
                break; // no points, so no alert to end
            default:
                Unhandled(message);
                break;
        }
    }

    private void Read(HostSeries series, ReadRange query)
    {
        var head = series.HeadPoints(query.FromMs, query.ToMs);
        var headFirst = series.Head.Count > 0 ? series.Head.FirstTimestampMs : long.MaxValue;
        if (series.ChunkCount == 0 || query.FromMs >= headFirst)
        {
            Sender.Tell(Shape(head, query));
            return;
        }
        // Older points live in sealed chunks: read them off the host's thread. A chunk sealed by a write still in flight
        // is read once that write has committed (its points have already left the head).
        ReadWithChunksAsync(_storage, series.EntityId, query, head, headFirst, _inFlight.Count > 0).PipeTo(Sender);
    }

    private static async Task<RangeResult> ReadWithChunksAsync(HostStorage storage, string seriesId, ReadRange query, List<DataPoint> head, long headFirst, bool flush)
    {
        if (flush) await storage.FlushAsync().ConfigureAwait(false);
        var chunks = await storage.Chunks.ReadAsync(seriesId, query.FromMs, Math.Min(query.ToMs, headFirst - 1)).ConfigureAwait(false);
        var points = new List<DataPoint>();
        foreach (var chunk in chunks) GorillaChunk.DecodeInto(chunk.Data, points, query.FromMs, Math.Min(query.ToMs, headFirst - 1));
        points.AddRange(head);
        return Shape(points, query);
    }

    private static RangeResult Shape(List<DataPoint> points, ReadRange query) =>
        RangeResult.From(query.StepMs > 0 ? Analytics.Aggregation.Downsampler.Aggregate(points, query.StepMs, query.Aggregation) : points);

    private StateView StateOf(HostSeries series) => new(_host, series.Metric, series.PointCount, series.FirstTimestampMs, series.LatestMs,
        series.LatestValue, series.Head.Count, series.Head.ByteCount, series.ChunkCount, series.ChunkBytes, _sequenceNr, series.Detection.Views());

    private HostView View() =>
        new(_host, [.. _state.Series.OrderBy(s => s.Metric, StringComparer.Ordinal).Select(s => new SeriesLatest(s.Metric, s.LatestMs, s.LatestValue))]);

    private void CountDetectorFailures(HostSeries series)
    {
        foreach (var (detector, error) in series.Detection.TakeFailures())
        {
            PerfMetrics.DetectorFailures.Add(1, new KeyValuePair<string, object?>("detector", detector));
            _log.Error(error, "Detector {0} of {1} failed and was restarted", detector, series.EntityId);
        }
    }

    // ---- Alerts --------------------------------------------------------------------------------------------------

    /// <summary>
    /// When the rule set changed: starts the alerts child of each series a rule now matches and tells every child its
    /// rules (a child whose rules are gone ends its alerts). <paramref name="startChildOf"/>: that series gets a child
    /// even without a matching rule, so that it can end the alerts of a deleted rule.
    /// </summary>
    private void ReconcileAlerts(int startChildOf = -1)
    {
        var rules = _alerting.Rules.Current;
        if (rules.Version == _rulesVersion) return;
        _rulesVersion = rules.Version;
        for (var index = 0; index < _state.Count; index++)
        {
            var series = _state[index];
            var mine = rules.For(_host, series.Metric);
            if (!_alerts.TryGetValue(index, out var child))
            {
                if (mine.Count == 0 && index != startChildOf) continue;
                var actor = Context.ActorOf(AlertActor.Props(series.EntityId, _alerting.Flapping, _alerting.NoData, _clock), "alerts-" + index);
                Context.Watch(actor);
                _alerts[index] = child = new AlertChild(actor);
                _alertChildren[actor] = index;
            }
            series.HasAlertsChild = true; // (also a series rebuilt after a failed write, whose child lives on)
            child.Actor.Tell(new AlertProtocol.UseRules(mine));
        }
    }

    private void EvaluateAlerts(int index, AlertPoints points)
    {
        if (!_alerts.TryGetValue(index, out var child)) return;
        if (child.FromMs == long.MaxValue) child.FromMs = points.FirstMs; // a new child starts with the write that made it
        if (child.Ready) child.Actor.Tell(points.ToMessage());
    }

    private void EvaluateLateFinding(int index, Anomaly finding)
    {
        if (!_alerts.TryGetValue(index, out var child)) return;
        if (child.Ready) child.Actor.Tell(new AlertProtocol.EvaluateFindings([finding]));
        else (child.LateFindings ??= []).Add(finding);
    }

    /// <summary>A child has recovered: it gets the head points after what it evaluated, so a crash leaves no gap.</summary>
    private void AlertsReady(int index, long evaluatedUpToMs)
    {
        var child = _alerts[index];
        child.Ready = true;
        var series = _state[index];
        var from = evaluatedUpToMs == long.MinValue ? child.FromMs : evaluatedUpToMs + 1;
        var missed = series.HeadPoints(from, long.MaxValue);
        if (missed.Count > 0)
        {
            var result = RangeResult.From(missed);
            child.Actor.Tell(new AlertProtocol.EvaluateAlerts(result.Timestamps, result.Values, series.Detection.Anomalies(from, long.MaxValue)));
        }
        if (child.LateFindings is { } late)
        {
            child.LateFindings = null;
            child.Actor.Tell(new AlertProtocol.EvaluateFindings([.. late]));
        }
    }

    private void ChildTerminated(IActorRef child)
    {
        if (_alertChildren.Remove(child, out var index))
        {
            // It failed (e.g. its journal write): the next rule change or write starts it again; it catches up from its snapshot.
            _alerts.Remove(index);
            _state[index].HasAlertsChild = false;
            _rulesVersion = 0;
        }
        else if (child.Equals(_optimizer)) _optimizer = null; // the next sample or question for it starts it again
        else if (child.Equals(_anomalies)) _anomalies = null;
    }

    // ---- Optimizer and host model ----------------------------------------------------------------------------------

    /// <summary>The optimizer and the host model see the newest committed sample of each series they watch, per write.</summary>
    private void FeedChildren(List<int> latest)
    {
        var metrics = new string[latest.Count];
        var timestamps = new long[latest.Count];
        var values = new double[latest.Count];
        for (var i = 0; i < latest.Count; i++)
        {
            var series = _state[latest[i]];
            (metrics[i], timestamps[i], values[i]) = (series.Metric, series.LatestMs, series.LatestValue);
        }
        if (metrics.Any(OptimizerState.Watches) && Optimizer() is { } optimizer)
        {
            var watched = Enumerable.Range(0, metrics.Length).Where(i => OptimizerState.Watches(metrics[i])).ToArray();
            optimizer.Tell(new OptimizerCommands.ObserveSamples([.. watched.Select(i => metrics[i])], [.. watched.Select(i => timestamps[i])], [.. watched.Select(i => values[i])]));
        }
        if (!metrics.Any(HostVectors.Watched.Contains)) return;
        if (_anomalies is null)
        {
            _anomalies = Context.ActorOf(HostAnomalyActor.Props(_host, Self), "anomalies");
            Context.Watch(_anomalies);
        }
        _anomalies.Tell(new HostAnomalyProtocol.ObserveHostSamples(metrics, timestamps, values));
    }

    /// <summary>
    /// The optimizer child, started by the first sample or question it has to answer: a host without the metrics it
    /// watches never pays for its journal recovery (a thousand hosts restarting would otherwise replay a thousand journals).
    /// </summary>
    private IActorRef? Optimizer()
    {
        if (_optimizer is not null || _optimization is not { } o) return _optimizer;
        // A fresh name each time: the stopped child's name is free only once its Terminated has arrived, which it has.
        _optimizer = Context.ActorOf(OptimizerActor.Props(_host, o.Defaults, o.Settings), "optimizer-" + Guid.NewGuid().ToString("N")[..8]);
        Context.Watch(_optimizer);
        return _optimizer;
    }

    // ---- Internal messages and bookkeeping ------------------------------------------------------------------------

    private sealed record Recovered(HostRecovery Recovery);
    private sealed record RecoveryFailed(Exception Cause);
    private sealed record SnapshotSaved(long SequenceNr);
    private sealed record SnapshotFailed(Exception Cause);
    private sealed record RetentionDone(int Series, long CutoffMs, ExpiredChunks? Expired, Exception? Error);

    private sealed class CheckRetention
    {
        public static readonly CheckRetention Instance = new();
    }

    private sealed class RetryRecovery
    {
        public static readonly RetryRecovery Instance = new();
    }

    /// <summary>The alerts child of one series, and where its catch-up stands.</summary>
    private sealed class AlertChild(IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;
        public bool Ready { get; set; }
        // A child that has never evaluated anything starts with the write that made it, not the whole head: a new rule
        // does not alert on the past.
        public long FromMs { get; set; } = long.MaxValue;
        public List<Anomaly>? LateFindings { get; set; }
    }
}
