using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Perf.Actors.Telemetry;

namespace Perf.Actors.Mailboxes;

/// <summary>
/// The mailbox of the persistent actors (series and hosts), of which a node holds 100,000 mostly idle ones. Akka's
/// default deque mailbox is a ConcurrentQueue whose first segment (~1 KB) is allocated with the actor and kept for its
/// whole life, plus a stack for stashed messages. This one is a small ring buffer under a lock that starts empty, grows by
/// doubling and gives back anything larger than <see cref="CompactDequeMessageQueue.KeptSlots"/> slots once drained.
/// Selected in hocon/akka.conf as <c>akka.actor.mailbox.unbounded-deque-based.mailbox-type</c>.
/// </summary>
public sealed class CompactDequeMailbox(Settings settings, Config config) : MailboxType(settings, config), IProducesMessageQueue<CompactDequeMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactDequeMessageQueue();
}

/// <summary>Unbounded FIFO with <see cref="EnqueueFirst"/> (for unstashing), as Eventsourced requires.</summary>
public sealed class CompactDequeMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    public const int KeptSlots = 8;
    private readonly Lock _lock = new();
    private Envelope[] _items = [];
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Slots currently allocated (for tests of the memory behaviour).</summary>
    public int Capacity
    {
        get { lock (_lock) return _items.Length; }
    }

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_lock)
        {
            if (_count == _items.Length) Grow();
            _items[(_head + _count) % _items.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
        PerfMetrics.MessagesQueued(1);
    }

    public void EnqueueFirst(Envelope envelope)
    {
        lock (_lock)
        {
            if (_count == _items.Length) Grow();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
        PerfMetrics.MessagesQueued(1);
    }

    public bool TryDequeue(out Envelope envelope)
    {
        envelope = default;
        if (Volatile.Read(ref _count) == 0) return false;
        lock (_lock)
        {
            if (_count == 0) return false;
            envelope = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            Volatile.Write(ref _count, _count - 1);
            PerfMetrics.MessagesQueued(-1);
            if (_count == 0)
            {
                _head = 0;
                if (_items.Length > KeptSlots) _items = [];
            }
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }

    private void Grow()
    {
        var grown = new Envelope[Math.Max(4, _items.Length * 2)];
        for (var i = 0; i < _count; i++) grown[i] = _items[(_head + i) % _items.Length];
        _items = grown;
        _head = 0;
    }
}
