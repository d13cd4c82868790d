using Akka.Actor;
using Akka.Persistence;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Memory;

/// <summary>The probe message of the non-series entity kinds; routed by <see cref="Perf.Actors.Series.PerfMessageExtractor"/>.</summary>
public sealed record Ping(string EntityId, long TimestampMs) : ISeriesMessage;

/// <summary>Makes a <see cref="BarePersistentActor"/> do what SeriesActor does every 100-199 events: save a snapshot, then
/// delete the journal and the older snapshots.</summary>
public sealed record Snap(string EntityId) : ISeriesMessage;

public sealed class Pong
{
    public static readonly Pong Instance = new();
    private Pong() { }
}

/// <summary>Floor: an actor cell, its mailbox and a ReceiveActor with one handler.</summary>
public sealed class PlainActor : ReceiveActor
{
    public PlainActor(string entityId)
    {
        _ = entityId;
        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
    }

    public static Props Props(string entityId) => Akka.Actor.Props.Create(() => new PlainActor(entityId));
}

/// <summary>The same without ReceiveActor's per-instance handler tables.</summary>
public sealed class PlainUntypedActor : UntypedActor
{
    public PlainUntypedActor(string entityId) => _ = entityId;

    protected override void OnReceive(object message)
    {
        if (message is Ping) Sender.Tell(Pong.Instance);
        else Unhandled(message);
    }

    public static Props Props(string entityId) => Akka.Actor.Props.Create(() => new PlainUntypedActor(entityId));
}

/// <summary>
/// Eventsourced floor: a ReceivePersistentActor on the series journal that persists a one-point PointsRecorded per Ping
/// (PersistAsync, like SeriesActor) and answers once it is written.
/// </summary>
public sealed class BarePersistentActor : ReceivePersistentActor
{
    /// <summary>Journal of the bare actors: the series journal, or one of <see cref="BenchJournals"/>.</summary>
    public static string JournalId { get; set; } = SqliteSeriesJournal.PluginId;

    public BarePersistentActor(string entityId)
    {
        PersistenceId = "bare-" + entityId;
        JournalPluginId = JournalId;
        Recover<PointsRecorded>(_ => { });
        Command<Ping>(ping =>
        {
            var replyTo = Sender;
            PersistAsync(new PointsRecorded([ping.TimestampMs], [1.0]), _ => replyTo.Tell(Pong.Instance));
        });
        Command<Snap>(_ =>
        {
            _snapReplyTo = Sender;
            // A head of ~130 points is about 1 KB.
            SaveSnapshot(new SeriesSnapshot(new byte[1000], 3, 2, 2000, 240, 1, 2));
        });
        Command<SaveSnapshotSuccess>(saved =>
        {
            DeleteMessages(saved.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
            _snapReplyTo?.Tell(Pong.Instance);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
    }

    private IActorRef? _snapReplyTo;

    public override string PersistenceId { get; }

    public static Props Props(string entityId) => Akka.Actor.Props.Create(() => new BarePersistentActor(entityId));
}

/// <summary>Counts replies sent to it (Tell mode: one shared reply target instead of one temporary actor per Ask).</summary>
public sealed class ReplyCounter : UntypedActor
{
    private readonly Counter _counter;
    public ReplyCounter(Counter counter) => _counter = counter;
    protected override void OnReceive(object message) => _counter.Increment();
}

public sealed class Counter
{
    private long _count;
    private long _target = long.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Count => Interlocked.Read(ref _count);

    public Task WaitFor(long target)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, target);
        if (Count >= target) _done.TrySetResult();
        return _done.Task;
    }

    public void Increment()
    {
        if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _target)) _done.TrySetResult();
    }
}
