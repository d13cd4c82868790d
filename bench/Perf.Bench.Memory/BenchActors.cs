using Akka.Actor;
using Akka.Persistence;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Memory;

// Probe entities: floors under SeriesActor, each one layer less, so differences between them split its cost. They share
// SeriesActor's base classes (untyped actors) and reply like it does (an AppendResult to the sender).

/// <summary>The probe message of the non-series entity kinds; routed by <see cref="PerfMessageExtractor"/>.</summary>
public sealed record Ping(string EntityId, long TimestampMs) : ISeriesMessage;

/// <summary>Makes a <see cref="BarePersistentActor"/> do what SeriesActor does after each seal and every 100-199 events:
/// save a snapshot, then delete the journal below it.</summary>
public sealed record Snap(string EntityId) : ISeriesMessage;

/// <summary>Floor: an actor cell, its mailbox and an untyped actor that answers.</summary>
public sealed class PlainActor : UntypedActor
{
    public PlainActor(string entityId) => _ = entityId;

    protected override void OnReceive(object message)
    {
        if (message is Ping) Sender.Tell(new AppendResult(1, 0));
        else Unhandled(message);
    }

    public static Props Props(string entityId) => Akka.Actor.Props.Create<PlainActor>(entityId);
}

/// <summary>
/// Eventsourced floor: an UntypedPersistentActor on the series plugins (journal and snapshot store) that persists a
/// one-point PointsRecorded per Ping (PersistAsync, like SeriesActor) and answers once it is written.
/// </summary>
public sealed class BarePersistentActor : UntypedPersistentActor
{
    /// <summary>Journal of the bare actors: the series journal, or one of <see cref="BenchJournals"/>.</summary>
    public static string JournalId { get; set; } = SeriesJournal.PluginId;

    private IActorRef? _snapReplyTo;

    public BarePersistentActor(string entityId)
    {
        PersistenceId = "bare-" + entityId;
        JournalPluginId = JournalId;
        SnapshotPluginId = SeriesSnapshotStore.PluginId;
    }

    public override string PersistenceId { get; }

    public static Props Props(string entityId) => Akka.Actor.Props.Create<BarePersistentActor>(entityId);

    protected override void OnRecover(object message) { }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Ping ping:
                var replyTo = Sender;
                PersistAsync(new PointsRecorded([ping.TimestampMs], [1.0]), _ => replyTo.Tell(new AppendResult(1, 0)));
                break;
            case Snap:
                _snapReplyTo = Sender;
                // A head of ~130 points is about 1 KB.
                SaveSnapshot(new SeriesSnapshot(new byte[1000], 3, 2, 2000, 240, 1, 2));
                break;
            case SaveSnapshotSuccess saved:
                DeleteMessages(saved.Metadata.SequenceNr);
                _snapReplyTo?.Tell(new AppendResult(0, 0));
                break;
            case DeleteMessagesSuccess:
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>
/// The bench driver's reply target: every message is sent with Tell from this one actor, which counts the replies, the way
/// IngestionPipeline sends appends from its one AppendAcknowledgements collector. (Not that class itself: its actor has a
/// fixed name, taken by the node's own pipeline, which the pipeline mode uses in the same process.)
/// </summary>
public sealed class ReplyCounter(Counter counter) : UntypedActor
{
    protected override void OnReceive(object message) => counter.Increment();
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
