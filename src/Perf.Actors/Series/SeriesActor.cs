using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Actors.Storage;
using Perf.Actors.Telemetry;
using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Series;

/// <summary>
/// One time series (sharding entity <c>{host}/{metric}</c>). A thin shell over <see cref="SeriesState"/> (the points) and
/// <see cref="SeriesDetection"/> (its detectors and their findings): it batches appends into journal writes (group commit),
/// runs the detectors on the new points and writes their findings with them, replies once the points are persisted, moves
/// settled points into sealed chunks, applies retention, snapshots, and answers queries.
/// A process holds 100,000 of these, so the actor is kept lean: one switch instead of a table of handler delegates,
/// no fields that can be derived, and buffers only while they hold something.
/// </summary>
public sealed class SeriesActor : UntypedPersistentActor, IWithTimers
{
    private readonly string _entityId;
    private readonly SeriesSettings _settings;
    private readonly DetectionSettings _detectionSettings;
    private readonly DetectorSet _detectorSet;
    private readonly SeriesAlerting _alerting;
    private readonly IChunkStore _chunks;
    private readonly TimeProvider _clock;
    private SeriesState _state = new();
    private SeriesDetection _detection;

    // Group commit: appends that arrive while a write is in flight wait here and all go into the next write.
    private List<(AppendPoints Append, IActorRef ReplyTo)>? _waiting;
    // The appends of the write in flight, answered when it is stored (or failed when it cannot be).
    private List<(AppendPoints Append, IActorRef ReplyTo)>? _writing;
    private bool _writeInFlight;
    private bool _sealInFlight;
    private bool _expiryInFlight;
    private int _eventsSinceSnapshot;
    // Events handed to the journal whose handlers have not run yet. Akka gives an event its sequence number when it is
    // handed over, and a snapshot is stamped with the latest one, so a snapshot taken now would claim events the state
    // does not hold yet (and the journal below it would be deleted). Snapshots wait for this to reach 0.
    private int _pendingEvents;
    private bool _snapshotDue;
    // The sequence number of the latest stored snapshot: the journal above it is what a stop snapshots first.
    private long _snapshotSequenceNr;
    private bool _stopping;
    // The child that evaluates this series' alert rules; only series that some rule watches have one.
    private IActorRef? _alerts;
    // Until the child has recovered and said how far it got, live points would overtake its catch-up (they are in the
    // head, so the catch-up covers them).
    private bool _alertsReady;
    // A child that has never evaluated anything starts with the write that made it, not with the whole head: a new rule
    // does not alert on the past.
    private long _alertsFromMs = long.MaxValue;
    private List<Anomaly>? _lateFindings;
    private long _rulesVersion;

    public SeriesActor(string entityId, SeriesSettings settings, DetectionSettings detection, SeriesAlerting alerting, IChunkStore chunks, TimeProvider clock)
    {
        _entityId = entityId;
        _settings = settings;
        _detectionSettings = detection;
        _detectorSet = detection.For(SeriesKey.FromEntityId(entityId).Metric);
        _detection = new SeriesDetection(_detectorSet, detection.MaxAnomaliesPerSeries);
        _alerting = alerting;
        _chunks = chunks;
        _clock = clock;
        PersistenceId = PersistenceIdOf(entityId);
        // Series events and snapshots go to the plugins built for many small writes (see DatabaseWriter).
        JournalPluginId = SeriesJournal.PluginId;
        SnapshotPluginId = SeriesSnapshotStore.PluginId;
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string PersistenceIdOf(string entityId) => "series-" + entityId;

    public static Props Props(
        string entityId, SeriesSettings settings, DetectionSettings detection, SeriesAlerting alerting, IChunkStore chunks, TimeProvider clock) =>
        Akka.Actor.Props.Create<SeriesActor>(entityId, settings, detection, alerting, chunks, clock);

    protected override void PreStart()
    {
        PerfMetrics.SeriesStarted();
        base.PreStart();
    }

    /// <summary>
    /// The journal refused an event (it could not store it): the state has moved on without it. Stopping rebuilds the
    /// series from what was stored; the writers are told at once (503, retried) rather than left to their timeout.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        FailWriters(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    /// <summary>The journal failed the write (the database is away): Akka stops the series, and its writers are told now.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        FailWriters(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void FailWriters(Exception cause)
    {
        foreach (var (append, replyTo) in (_writing ?? []).Concat(_waiting ?? []))
            replyTo.Tell(new AppendFailed(cause.GetBaseException().Message, append.Correlation));
        _writing = _waiting = null;
    }

    protected override void PostStop()
    {
        var recovered = !IsRecovering;
        PerfMetrics.SeriesStopped(recovered);
        if (recovered) PerfMetrics.SeriesPassivated.Add(1);
        base.PostStop();
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer offer:
                _snapshotSequenceNr = offer.Metadata.SequenceNr;
                if (!SeriesRecovery.TryRestore(offer.Snapshot, _detectorSet, _detectionSettings.MaxAnomaliesPerSeries, out _state, out _detection))
                    throw new InvalidOperationException($"{PersistenceId} was offered a {offer.Snapshot.GetType().Name}, not a series snapshot");
                break;
            case ISeriesEvent e:
                SeriesRecovery.Replay(_state, _detection, e);
                break;
            case RecoveryCompleted:
                PerfMetrics.SeriesRecovered();
                CountDetectorFailures(); // a stored detector state that could not be read back
                TrySeal();
                TryExpire();
                if (!_state.IsEmpty) ReconcileAlerts(); // the child catches up on what it missed (AlertsReady)
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case AppendPoints append:
                (_waiting ??= []).Add((append, Sender));
                Flush();
                break;
            case ReadRange query:
                Read(query);
                break;
            case GetState:
                Sender.Tell(_state.IsEmpty ? new SeriesNotFound(_entityId) : View());
                break;
            case GetAnomalies query:
                Sender.Tell(_state.IsEmpty
                    ? new SeriesNotFound(_entityId)
                    : new AnomalyList(_detection.Anomalies(query.FromMs, query.ToMs), _detectorSet.Family, [.. _detectorSet.Detectors.Select(d => d.Name)]));
                break;
            case RecordFinding recorded when !_state.IsEmpty:
                Record(new AnomaliesDetected([recorded.Finding]), detected =>
                {
                    _detection.Apply(detected);
                    PerfMetrics.AnomaliesDetected.Add(1);
                    ReconcileAlerts();
                    if (_alertsReady) _alerts?.Tell(new AlertProtocol.EvaluateFindings(detected.Anomalies));
                    else if (_alerts is not null) (_lateFindings ??= []).AddRange(detected.Anomalies); // after its catch-up
                });
                break;
            case RecordFinding:
                break; // a series without points has nothing to pin the finding on
            case AlertProtocol.AlertsReady ready:
                _alertsReady = true;
                CatchUpAlerts(ready.EvaluatedUpToMs);
                if (_lateFindings is { } late)
                {
                    _lateFindings = null;
                    Sender.Tell(new AlertProtocol.EvaluateFindings([.. late]));
                }
                break;
            case AlertProtocol.KeepSeriesAlive:
                // A no-data rule watches this silent series: passivation would stop its alerts child and the silence would
                // go unnoticed. Sharding measures idleness by the messages its shard delivers to the entity, so the
                // keep-alive goes out to the parent (the shard) and comes back as an entity message. The child asks only
                // while the no-data condition can still change without a sample; once it fires, the series is left to
                // passivate, and the next sample restarts it and resolves the alert.
                Context.Parent.Tell(new KeepAlive(_entityId));
                break;
            case KeepAlive:
                break;
            case ReapplyAlertRules reapply when _alerting.Rules.BookVersion < reapply.BookVersion && reapply.Attempt < 50:
                // The changed book reaches this node by publication, this message by the shard: wait for the book.
                Timers.StartSingleTimer(nameof(ReapplyAlertRules), reapply with { Attempt = reapply.Attempt + 1 }, TimeSpan.FromMilliseconds(100));
                break;
            case ReapplyAlertRules when !_state.IsEmpty:
                _rulesVersion = 0;
                ReconcileAlerts(startChild: true);
                break;
            case ReapplyAlertRules:
                break; // no points, so no alert to end
            case Terminated dead when dead.ActorRef.Equals(_alerts):
                _alertsReady = false;
                // It failed (e.g. its journal write): the next write starts it again, and it catches up from its snapshot.
                _alerts = null;
                _rulesVersion = 0;
                break;
            case ChunkStored stored:
                Record(stored.Sealed, sealedChunk =>
                {
                    _state.Apply(sealedChunk);
                    _sealInFlight = false;
                    // The head is smallest right after a seal: the cheapest moment to snapshot, and recovery then replays
                    // at most the points of one chunk.
                    Snapshot();
                    TrySeal();
                    TryExpire();
                });
                break;
            case ChunkStoreFailed failed:
                // The points are still in the head and the journal; the next write tries to seal them again.
                _sealInFlight = false;
                Log.Warning(failed.Cause, "Sealing a chunk of {0} failed; will retry", _entityId);
                break;
            case ChunksDeleted deleted:
                Expired(deleted);
                break;
            case ChunkDeleteFailed failed:
                _expiryInFlight = false;
                Log.Warning(failed.Cause, "Retention of {0} failed; will retry", _entityId);
                TrySeal();
                break;
            case SaveSnapshotSuccess saved:
                // Everything up to the snapshot is in it (the store keeps only the latest): drop the journal below it.
                _snapshotSequenceNr = Math.Max(_snapshotSequenceNr, saved.Metadata.SequenceNr);
                DeleteMessages(saved.Metadata.SequenceNr);
                if (_stopping) StopOnceSnapshotted();
                break;
            case SaveSnapshotFailure failed:
                Log.Warning(failed.Cause, "Snapshot of {0} failed", _entityId);
                if (_stopping) Context.Stop(Self); // the journal still holds everything: the next start replays it
                break;
            case StopSeries:
                // Passivated or handed off. Without a snapshot first, the journal rows since the last one would stay live
                // for as long as the series stays quiet (on SQLite they hold back the cut of the log), and the next start
                // would replay them. The shard holds new messages for the series until it has stopped.
                _stopping = true;
                StopOnceSnapshotted();
                break;
            case DeleteMessagesFailure failed:
                Log.Warning(failed.Cause, "Deleting journal of {0} failed", _entityId);
                break;
            case DeleteMessagesSuccess:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Flush()
    {
        if (_writeInFlight || _waiting is not { Count: > 0 } batch) return;
        _waiting = null;
        var (recorded, rejected) = _state.Decide(batch, static w => w.Append, _settings.OutOfOrderToleranceMs);
        if (recorded is null)
        {
            Reply(batch, rejected);
            return;
        }
        _writeInFlight = true;
        _writing = batch;
        var started = Stopwatch.GetTimestamp();
        var findings = Detect(recorded);
        if (findings is null)
        {
            Record(recorded, e =>
            {
                _state.Apply(e);
                Written(e);
                Alert(e, []);
            });
            return;
        }
        // Points and their findings in one atomic write: neither is ever stored without the other.
        _pendingEvents += 2;
        PersistAllAsync<ISeriesEvent>([recorded, new AnomaliesDetected(findings)], e =>
        {
            _pendingEvents--;
            Apply(e);
            if (e is AnomaliesDetected detected)
            {
                PerfMetrics.AnomaliesDetected.Add(detected.Anomalies.Length);
                Written(recorded);
                Alert(recorded, detected.Anomalies);
            }
            SnapshotIfDue();
        });

        void Written(PointsRecorded e)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            PerfMetrics.JournalWriteLatency.Record(elapsed.TotalMilliseconds);
            StageProfile.JournalWrite.Record(elapsed);
            PerfMetrics.JournalWritePoints.Record(e.Timestamps.Length);
            _writeInFlight = false;
            _writing = null;
            Reply(batch, rejected);
            if (++_eventsSinceSnapshot >= SnapshotEvery) Snapshot();
            TrySeal();
            Flush();
        }
    }

    /// <summary>Hands persisted points (and their findings) to the alert rules, after the write they came in.</summary>
    private void Alert(PointsRecorded points, Anomaly[] findings)
    {
        var started = ReconcileAlerts();
        if (started && points.Timestamps.Length > 0) _alertsFromMs = points.Timestamps[0];
        if (_alertsReady) _alerts?.Tell(new AlertProtocol.EvaluateAlerts(points.Timestamps, points.Values, findings));
    }

    /// <summary>
    /// Starts the alerts child when a rule first matches this series (or when <paramref name="startChild"/> says so: to end
    /// the alerts of rules that no longer match) and tells it when the rules change; true when it
    /// started one.
    /// </summary>
    private bool ReconcileAlerts(bool startChild = false)
    {
        var rules = _alerting.Rules.Current;
        if (rules.Version == _rulesVersion) return false;
        _rulesVersion = rules.Version;
        var key = SeriesKey.FromEntityId(_entityId);
        var mine = rules.For(key.Host, key.Metric);
        if (mine.Count == 0 && _alerts is null && !startChild) return false;
        var started = false;
        if (_alerts is null)
        {
            _alerts = Context.ActorOf(AlertActor.Props(_entityId, _alerting.Flapping, _alerting.NoData, _clock), "alerts");
            _alertsReady = false;
            _alertsFromMs = long.MaxValue;
            Context.Watch(_alerts);
            started = true;
        }
        _alerts.Tell(new AlertProtocol.UseRules(mine));
        return started;
    }

    /// <summary>The points after <paramref name="evaluatedUpToMs"/> still in the head go to a child that has just recovered.</summary>
    private void CatchUpAlerts(long evaluatedUpToMs)
    {
        var from = evaluatedUpToMs == long.MinValue ? _alertsFromMs : evaluatedUpToMs + 1;
        var missed = _state.HeadPoints(from, long.MaxValue);
        if (missed.Count == 0) return;
        var result = RangeResult.From(missed);
        Sender.Tell(new AlertProtocol.EvaluateAlerts(result.Timestamps, result.Values, _detection.Anomalies(from, long.MaxValue)));
    }

    private Anomaly[]? Detect(PointsRecorded recorded)
    {
        if (_detection.DetectorCount == 0) return null;
        var started = Stopwatch.GetTimestamp();
        var findings = _detection.Observe(recorded);
        var elapsed = Stopwatch.GetElapsedTime(started);
        PerfMetrics.DetectorTime.Record(elapsed.TotalMicroseconds / recorded.Timestamps.Length);
        StageProfile.Detectors.Record(elapsed);
        CountDetectorFailures();
        return findings;
    }

    private void CountDetectorFailures()
    {
        foreach (var (detector, error) in _detection.TakeFailures())
        {
            PerfMetrics.DetectorFailures.Add(1, new KeyValuePair<string, object?>("detector", detector));
            Log.Error(error, "Detector {0} of {1} failed and was restarted", detector, _entityId);
        }
    }

    /// <summary>Persists one event, counting it as pending until its handler has run (see <see cref="_pendingEvents"/>).</summary>
    private void Record<TEvent>(TEvent e, Action<TEvent> handler) where TEvent : ISeriesEvent
    {
        _pendingEvents++;
        PersistAsync(e, persisted =>
        {
            _pendingEvents--;
            handler(persisted);
            SnapshotIfDue();
        });
    }

    private void Apply(ISeriesEvent e) => SeriesRecovery.Apply(_state, _detection, e);

    private static void Reply(List<(AppendPoints Append, IActorRef ReplyTo)> batch, int[] rejected)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var (append, replyTo) = batch[i];
            replyTo.Tell(new AppendResult(append.Timestamps.Length - rejected[i], rejected[i], append.Correlation));
        }
    }

    /// <summary>Series started together would otherwise all snapshot (and delete their journals) in the same instant.</summary>
    private int SnapshotEvery => _settings.SnapshotEvery + (int)(StableHash(_entityId) % (uint)Math.Max(1, _settings.SnapshotEvery));

    private void Snapshot()
    {
        if (_pendingEvents > 0)
        {
            _snapshotDue = true;
            return;
        }
        _snapshotDue = false;
        _eventsSinceSnapshot = 0;
        SaveSnapshot(new SeriesActorSnapshot(_state.ToSnapshot(), _detection.ToSnapshot()));
    }

    private void StopOnceSnapshotted()
    {
        if (LastSequenceNr == _snapshotSequenceNr && _pendingEvents == 0)
        {
            Context.Stop(Self);
            return;
        }
        if (!_snapshotDue) Snapshot(); // waits for the writes in flight when there are any
    }

    private void SnapshotIfDue()
    {
        if (_snapshotDue && _pendingEvents == 0) Snapshot();
    }

    private void TrySeal()
    {
        // Sealing and retention take turns: retention's totals then describe exactly the chunks the state knows.
        if (_sealInFlight || _expiryInFlight) return;
        var points = _state.PlanSeal(_settings.OutOfOrderToleranceMs, _settings.ChunkMaxPoints, (long)_settings.ChunkMaxSpan.TotalMilliseconds);
        if (points is null) return;
        _sealInFlight = true;
        var encoder = new GorillaChunkEncoder();
        foreach (var p in points) encoder.Append(p.TimestampMs, p.Value);
        var data = encoder.ToArray();
        var sealedChunk = new ChunkSealed(_state.NextChunkSequence, points[0].TimestampMs, points[^1].TimestampMs, points.Length, data.Length);
        _chunks.WriteAsync(new StoredChunk(_entityId, sealedChunk.Sequence, sealedChunk.FirstMs, sealedChunk.LastMs, sealedChunk.PointCount, data, LastSequenceNr))
            .PipeTo(Self, success: () => new ChunkStored(sealedChunk), failure: e => new ChunkStoreFailed(e));
    }

    private void TryExpire()
    {
        if (_expiryInFlight || _sealInFlight || _state.ChunkCount == 0) return;
        var cutoff = _clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)_settings.RetentionPeriod.TotalMilliseconds;
        if (_state.OldestChunkFirstMs >= cutoff) return;
        _expiryInFlight = true;
        _chunks.DeleteExpiredAsync(_entityId, cutoff, _state.NextChunkSequence)
            .PipeTo(Self, success: expired => new ChunksDeleted(cutoff, expired), failure: e => new ChunkDeleteFailed(e));
    }

    private void Expired(ChunksDeleted deleted)
    {
        var remaining = deleted.Expired.Remaining;
        if (deleted.Expired.DeletedCount == 0 && _state.HasChunkTotals(remaining))
        {
            _expiryInFlight = false;
            TrySeal();
            return;
        }
        Record(new ChunksRetained(deleted.CutoffMs, remaining.ChunkCount, remaining.ByteCount, remaining.PointCount, remaining.OldestFirstMs), retained =>
        {
            Apply(retained);
            _expiryInFlight = false;
            Snapshot();
            TrySeal();
        });
    }

    private void Read(ReadRange query)
    {
        if (_state.IsEmpty)
        {
            Sender.Tell(new SeriesNotFound(query.EntityId));
            return;
        }
        var head = _state.HeadPoints(query.FromMs, query.ToMs);
        var headFirst = _state.Head.Count > 0 ? _state.Head.FirstTimestampMs : long.MaxValue;
        if (_state.ChunkCount == 0 || query.FromMs >= headFirst)
        {
            Sender.Tell(Shape(head, query));
            return;
        }
        // Older points live in sealed chunks: read them off the actor's thread and answer from the task.
        ReadWithChunksAsync(_chunks, _entityId, query, head, headFirst).PipeTo(Sender);
    }

    private static async Task<RangeResult> ReadWithChunksAsync(IChunkStore store, string seriesId, ReadRange query, List<DataPoint> head, long headFirst)
    {
        var chunks = await store.ReadAsync(seriesId, query.FromMs, Math.Min(query.ToMs, headFirst - 1)).ConfigureAwait(false);
        var points = new List<DataPoint>();
        foreach (var chunk in chunks)
            // A chunk whose ChunkSealed event is still in flight also has its points in the head: the head wins.
            GorillaChunk.DecodeInto(chunk.Data, points, query.FromMs, Math.Min(query.ToMs, headFirst - 1));
        points.AddRange(head);
        return Shape(points, query);
    }

    private static RangeResult Shape(List<DataPoint> points, ReadRange query) =>
        RangeResult.From(query.StepMs > 0 ? Perf.Analytics.Aggregation.Downsampler.Aggregate(points, query.StepMs, query.Aggregation) : points);

    private StateView View()
    {
        var key = SeriesKey.FromEntityId(_entityId);
        return new StateView(key.Host, key.Metric, _state.PointCount, _state.FirstTimestampMs, _state.LastTimestampMs, _state.Head.LastValue,
            _state.Head.Count, _state.Head.ByteCount, _state.ChunkCount, _state.ChunkBytes, LastSequenceNr, _detection.Views());
    }

    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    private sealed record ChunkStored(ChunkSealed Sealed);
    private sealed record ChunkStoreFailed(Exception Cause);
    private sealed record ChunksDeleted(long CutoffMs, ExpiredChunks Expired);
    private sealed record ChunkDeleteFailed(Exception Cause);
}
