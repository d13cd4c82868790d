using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using Perf.Actors.Telemetry;
using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Bench.Memory;

/// <summary>
/// Prototype: <see cref="SeriesActor"/> with the per-instance overhead taken out, same behaviour and same events.
/// <list type="number">
/// <item>UntypedPersistentActor with two switches instead of ReceivePersistentActor's 17 handler registrations: no 17 delegates,
/// no closure over entityId, no MatchHandler tables per instance.</item>
/// <item>No own <c>Context.GetLogger()</c>: Eventsourced already creates one (<see cref="Eventsourced.Log"/>); a second BusLogging
/// and its source string are ~270 bytes per actor.</item>
/// <item>No SeriesKey field (two substrings): the entity id is kept, host and metric are split when a view is asked for.</item>
/// <item>No waiting list until two appends wait at once; the common single append goes straight to the fast Decide path that
/// reuses the message's arrays for the event.</item>
/// <item>Props.Create&lt;T&gt;(args) instead of an expression (no expression-tree evaluation per entity start).</item>
/// </list>
/// </summary>
public sealed class LeanSeriesActor : UntypedPersistentActor
{
    private static readonly int[] NoneRejected = [0];
    private readonly string _entityId;
    private readonly SeriesSettings _settings;
    private readonly IChunkStore _chunks;
    private readonly TimeProvider _clock;
    private readonly long _toleranceMs;
    private readonly int _snapshotEvery;
    private SeriesState _state = new();

    // Group commit. One waiting append needs no list; a list is made only when a second one arrives while a write is in flight.
    private AppendPoints? _waitingOne;
    private IActorRef? _waitingOneReplyTo;
    private List<(AppendPoints Append, IActorRef ReplyTo)>? _waiting;
    private bool _writeInFlight;
    private bool _sealInFlight;
    private bool _expiryInFlight;
    private int _eventsSinceSnapshot;

    public LeanSeriesActor(string entityId, SeriesSettings settings, IChunkStore chunks, TimeProvider clock)
    {
        _ = SeriesKey.FromEntityId(entityId); // validates, like SeriesActor
        _entityId = entityId;
        _settings = settings;
        _chunks = chunks;
        _clock = clock;
        _toleranceMs = (long)settings.OutOfOrderTolerance.TotalMilliseconds;
        _snapshotEvery = settings.SnapshotEvery + (int)((uint)StableHash(entityId) % (uint)Math.Max(1, settings.SnapshotEvery));
        PersistenceId = SeriesActor.PersistenceIdOf(entityId);
        JournalPluginId = SqliteSeriesJournal.PluginId;
    }

    public override string PersistenceId { get; }

    public static Props Props(string entityId, SeriesSettings settings, IChunkStore chunks, TimeProvider clock) =>
        Akka.Actor.Props.Create<LeanSeriesActor>(entityId, settings, chunks, clock);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: SeriesSnapshot snapshot }: _state = SeriesState.FromSnapshot(snapshot); break;
            case ISeriesEvent e: _state.Apply(e); break;
            case RecoveryCompleted:
                TrySeal();
                TryExpire();
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case AppendPoints append:
                if (_waitingOne is null && _waiting is null)
                {
                    _waitingOne = append;
                    _waitingOneReplyTo = Sender;
                }
                else
                {
                    _waiting ??= [];
                    if (_waitingOne is not null)
                    {
                        _waiting.Add((_waitingOne, _waitingOneReplyTo!));
                        (_waitingOne, _waitingOneReplyTo) = (null, null);
                    }
                    _waiting.Add((append, Sender));
                }
                Flush();
                break;
            case ReadRange query: Read(query); break;
            case GetState: Sender.Tell(_state.IsEmpty ? new SeriesNotFound(_entityId) : View()); break;
            case ChunkStored stored:
                PersistAsync(stored.Sealed, sealedChunk =>
                {
                    _state.Apply(sealedChunk);
                    _sealInFlight = false;
                    AfterEvent();
                    TrySeal();
                    TryExpire();
                });
                break;
            case ChunkStoreFailed failed:
                _sealInFlight = false;
                Log.Warning(failed.Cause, "Sealing a chunk of {0} failed; will retry", _entityId);
                break;
            case ChunksDeleted deleted:
                _expiryInFlight = false;
                if (deleted.Expired.ChunkCount == 0) return;
                var e = deleted.Expired;
                PersistAsync(new ChunksExpired(deleted.CutoffMs, e.ChunkCount, e.ByteCount, e.PointCount, e.OldestRemainingFirstMs), expired =>
                {
                    _state.Apply(expired);
                    AfterEvent();
                });
                break;
            case ChunkDeleteFailed failed:
                _expiryInFlight = false;
                Log.Warning(failed.Cause, "Retention of {0} failed; will retry", _entityId);
                break;
            case SaveSnapshotSuccess saved:
                DeleteMessages(saved.Metadata.SequenceNr);
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed: Log.Warning(failed.Cause, "Snapshot of {0} failed", _entityId); break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess: break;
            case DeleteMessagesFailure failed: Log.Warning(failed.Cause, "Deleting journal of {0} failed", _entityId); break;
            case DeleteSnapshotsFailure failed: Log.Warning(failed.Cause, "Deleting old snapshots of {0} failed", _entityId); break;
            default: Unhandled(message); break;
        }
    }

    protected override void PreStart()
    {
        PerfMetrics.SeriesStarted();
        base.PreStart();
    }

    protected override void PostStop()
    {
        PerfMetrics.SeriesStopped();
        base.PostStop();
    }

    private void Flush()
    {
        if (_writeInFlight) return;
        if (_waitingOne is { } one)
        {
            var replyTo = _waitingOneReplyTo!;
            (_waitingOne, _waitingOneReplyTo) = (null, null);
            var newest = _state.IsEmpty ? long.MinValue : _state.LastTimestampMs;
            var (fast, _) = Micro.DecideFast(one, newest, _toleranceMs);
            if (fast is not null)
            {
                Write(fast, replyTo, one, NoneRejected, null);
                return;
            }
            _waiting = [(one, replyTo)];
        }
        if (_waiting is not { Count: > 0 } batch) return;
        _waiting = null;
        var (recorded, rejected) = _state.Decide(batch.ConvertAll(w => w.Append), _toleranceMs);
        if (recorded is null)
        {
            Reply(batch, rejected);
            return;
        }
        Write(recorded, null, null, rejected, batch);
    }

    private void Write(PointsRecorded recorded, IActorRef? replyTo, AppendPoints? single, int[] rejected, List<(AppendPoints Append, IActorRef ReplyTo)>? batch)
    {
        _writeInFlight = true;
        var started = Stopwatch.GetTimestamp();
        PersistAsync(recorded, e =>
        {
            PerfMetrics.JournalWriteLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            PerfMetrics.JournalWritePoints.Record(e.Timestamps.Length);
            _state.Apply(e);
            _writeInFlight = false;
            if (batch is not null) Reply(batch, rejected);
            else replyTo!.Tell(new AppendResult(single!.Timestamps.Length - rejected[0], rejected[0]));
            AfterEvent();
            TrySeal();
            Flush();
        });
    }

    private static void Reply(List<(AppendPoints Append, IActorRef ReplyTo)> batch, int[] rejected)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var (append, replyTo) = batch[i];
            replyTo.Tell(new AppendResult(append.Timestamps.Length - rejected[i], rejected[i]));
        }
    }

    private void AfterEvent()
    {
        if (++_eventsSinceSnapshot < _snapshotEvery) return;
        _eventsSinceSnapshot = 0;
        SaveSnapshot(_state.ToSnapshot());
    }

    private void TrySeal()
    {
        if (_sealInFlight) return;
        var points = _state.PlanSeal(_toleranceMs, _settings.ChunkMaxPoints, (long)_settings.ChunkMaxSpan.TotalMilliseconds);
        if (points is null) return;
        _sealInFlight = true;
        var encoder = new GorillaChunkEncoder();
        foreach (var p in points) encoder.Append(p.TimestampMs, p.Value);
        var data = encoder.ToArray();
        var sealedChunk = new ChunkSealed(_state.NextChunkSequence, points[0].TimestampMs, points[^1].TimestampMs, points.Length, data.Length);
        _chunks.WriteAsync(new StoredChunk(_entityId, sealedChunk.Sequence, sealedChunk.FirstMs, sealedChunk.LastMs, sealedChunk.PointCount, data))
            .PipeTo(Self, success: () => new ChunkStored(sealedChunk), failure: e => new ChunkStoreFailed(e));
    }

    private void TryExpire()
    {
        if (_expiryInFlight || _state.ChunkCount == 0) return;
        var cutoff = _clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)_settings.RetentionPeriod.TotalMilliseconds;
        if (_state.OldestChunkFirstMs >= cutoff) return;
        _expiryInFlight = true;
        _chunks.DeleteExpiredAsync(_entityId, cutoff)
            .PipeTo(Self, success: expired => new ChunksDeleted(cutoff, expired), failure: e => new ChunkDeleteFailed(e));
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
        ReadWithChunksAsync(_chunks, _entityId, query, head, headFirst).PipeTo(Sender);
    }

    private static async Task<RangeResult> ReadWithChunksAsync(IChunkStore store, string seriesId, ReadRange query, List<DataPoint> head, long headFirst)
    {
        var chunks = await store.ReadAsync(seriesId, query.FromMs, Math.Min(query.ToMs, headFirst - 1)).ConfigureAwait(false);
        var points = new List<DataPoint>();
        foreach (var chunk in chunks)
            GorillaChunk.DecodeInto(chunk.Data, points, query.FromMs, Math.Min(query.ToMs, headFirst - 1));
        points.AddRange(head);
        return Shape(points, query);
    }

    private static RangeResult Shape(List<DataPoint> points, ReadRange query) =>
        RangeResult.From(query.StepMs > 0 ? Downsampler.Aggregate(points, query.StepMs, query.Aggregation) : points);

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private StateView View()
    {
        var key = SeriesKey.FromEntityId(_entityId);
        return new(key.Host, key.Metric, _state.PointCount, _state.FirstTimestampMs, _state.LastTimestampMs, _state.Head.LastValue,
            _state.Head.Count, _state.Head.ByteCount, _state.ChunkCount, _state.ChunkBytes, LastSequenceNr);
    }

    private sealed record ChunkStored(ChunkSealed Sealed);
    private sealed record ChunkStoreFailed(Exception Cause);
    private sealed record ChunksDeleted(long CutoffMs, ExpiredChunks Expired);
    private sealed record ChunkDeleteFailed(Exception Cause);
}
