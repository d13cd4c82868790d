using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Perf.Actors.Configuration;
using Perf.Actors.Storage;
using Perf.Actors.Telemetry;
using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Actors.Series;

/// <summary>
/// One time series (sharding entity <c>{host}/{metric}</c>). A thin shell over <see cref="SeriesState"/>: it batches
/// appends into journal writes (group commit), replies once the points are persisted, moves settled points into sealed
/// chunks, applies retention, snapshots, and answers queries.
/// </summary>
public sealed class SeriesActor : ReceivePersistentActor
{
    private readonly SeriesKey _key;
    private readonly SeriesSettings _settings;
    private readonly IChunkStore _chunks;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _toleranceMs;
    private SeriesState _state = new();

    // Group commit: appends that arrive while a write is in flight wait here and all go into the next write.
    private List<(AppendPoints Append, IActorRef ReplyTo)> _waiting = [];
    private bool _writeInFlight;
    private bool _sealInFlight;
    private bool _expiryInFlight;
    private int _eventsSinceSnapshot;
    private readonly int _snapshotEvery;

    public SeriesActor(string entityId, SeriesSettings settings, IChunkStore chunks, TimeProvider clock)
    {
        _key = SeriesKey.FromEntityId(entityId);
        _settings = settings;
        _chunks = chunks;
        _clock = clock;
        _toleranceMs = (long)settings.OutOfOrderTolerance.TotalMilliseconds;
        // Series that start together would otherwise all snapshot (and delete their journals) in the same instant.
        _snapshotEvery = settings.SnapshotEvery + (int)((uint)StableHash(entityId) % (uint)Math.Max(1, settings.SnapshotEvery));
        PersistenceId = PersistenceIdOf(entityId);
        // Series events go to the journal built for many small writes; see SqliteSeriesJournal.
        JournalPluginId = SqliteSeriesJournal.PluginId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is SeriesSnapshot snapshot) _state = SeriesState.FromSnapshot(snapshot);
        });
        Recover<ISeriesEvent>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            TrySeal();
            TryExpire();
        });

        Command<AppendPoints>(append =>
        {
            _waiting.Add((append, Sender));
            Flush();
        });
        Command<ReadRange>(Read);
        Command<GetState>(_ => Sender.Tell(_state.IsEmpty ? new SeriesNotFound(entityId) : View()));
        Command<ChunkStored>(stored => PersistAsync(stored.Sealed, sealedChunk =>
        {
            _state.Apply(sealedChunk);
            _sealInFlight = false;
            AfterEvent();
            TrySeal();
            TryExpire();
        }));
        Command<ChunkStoreFailed>(failed =>
        {
            // The points are still in the head and the journal; the next write tries to seal them again.
            _sealInFlight = false;
            _log.Warning(failed.Cause, "Sealing a chunk of {0} failed; will retry", entityId);
        });
        Command<ChunksDeleted>(deleted =>
        {
            _expiryInFlight = false;
            if (deleted.Expired.ChunkCount == 0) return;
            var e = deleted.Expired;
            PersistAsync(new ChunksExpired(deleted.CutoffMs, e.ChunkCount, e.ByteCount, e.PointCount, e.OldestRemainingFirstMs), expired =>
            {
                _state.Apply(expired);
                AfterEvent();
            });
        });
        Command<ChunkDeleteFailed>(failed =>
        {
            _expiryInFlight = false;
            _log.Warning(failed.Cause, "Retention of {0} failed; will retry", entityId);
        });
        Command<SaveSnapshotSuccess>(saved =>
        {
            // Everything up to the snapshot is in it: drop the journal below it and older snapshots.
            DeleteMessages(saved.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(failed => _log.Warning(failed.Cause, "Snapshot of {0} failed", entityId));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(failed => _log.Warning(failed.Cause, "Deleting journal of {0} failed", entityId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failed => _log.Warning(failed.Cause, "Deleting old snapshots of {0} failed", entityId));
    }

    public override string PersistenceId { get; }

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

    public static string PersistenceIdOf(string entityId) => "series-" + entityId;

    public static Props Props(string entityId, SeriesSettings settings, IChunkStore chunks, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new SeriesActor(entityId, settings, chunks, clock));

    private void Flush()
    {
        if (_writeInFlight || _waiting.Count == 0) return;
        var batch = _waiting;
        _waiting = [];
        var (recorded, rejected) = _state.Decide(batch.ConvertAll(w => w.Append), _toleranceMs);
        if (recorded is null)
        {
            Reply(batch, rejected);
            return;
        }
        _writeInFlight = true;
        var started = Stopwatch.GetTimestamp();
        PersistAsync(recorded, e =>
        {
            PerfMetrics.JournalWriteLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            PerfMetrics.JournalWritePoints.Record(e.Timestamps.Length);
            _state.Apply(e);
            _writeInFlight = false;
            Reply(batch, rejected);
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
        _chunks.WriteAsync(new StoredChunk(_key.EntityId, sealedChunk.Sequence, sealedChunk.FirstMs, sealedChunk.LastMs, sealedChunk.PointCount, data))
            .PipeTo(Self, success: () => new ChunkStored(sealedChunk), failure: e => new ChunkStoreFailed(e));
    }

    private void TryExpire()
    {
        if (_expiryInFlight || _state.ChunkCount == 0) return;
        var cutoff = _clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)_settings.RetentionPeriod.TotalMilliseconds;
        if (_state.OldestChunkFirstMs >= cutoff) return;
        _expiryInFlight = true;
        _chunks.DeleteExpiredAsync(_key.EntityId, cutoff)
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
        // Older points live in sealed chunks: read them off the actor's thread and answer from the task.
        ReadWithChunksAsync(_chunks, _key.EntityId, query, head, headFirst).PipeTo(Sender);
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
        RangeResult.From(query.StepMs > 0 ? Downsampler.Aggregate(points, query.StepMs, query.Aggregation) : points);

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private StateView View() => new(
        _key.Host, _key.Metric, _state.PointCount, _state.FirstTimestampMs, _state.LastTimestampMs, _state.Head.LastValue,
        _state.Head.Count, _state.Head.ByteCount, _state.ChunkCount, _state.ChunkBytes, LastSequenceNr);

    private sealed record ChunkStored(ChunkSealed Sealed);
    private sealed record ChunkStoreFailed(Exception Cause);
    private sealed record ChunksDeleted(long CutoffMs, ExpiredChunks Expired);
    private sealed record ChunkDeleteFailed(Exception Cause);
}
