using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Perf.Bench.Memory;

/// <summary>
/// Prototype of a mailbox for 100,000 mostly idle actors. Akka's default queue is a ConcurrentQueue&lt;Envelope&gt; whose
/// first segment (32 slots of 24 bytes plus cache-line padding, ~1,060 bytes) is allocated with the actor and kept for its
/// whole life; persistent actors add a Stack for EnqueueFirst. This one is a small ring buffer under a lock that starts empty,
/// grows by doubling and gives back anything larger than 8 slots once drained; it is also a deque, so one type serves both
/// the default mailbox and the deque-based one that Eventsourced requires.
/// </summary>
public sealed class CompactMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics, IUnboundedMessageQueueSemantics
{
    private const int KeepSlots = 8;
    private Envelope[] _items = [];
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (this)
        {
            if (_count == _items.Length) Grow();
            _items[(_head + _count) % _items.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        lock (this)
        {
            if (_count == _items.Length) Grow();
            _head = (_head - 1 + _items.Length) % _items.Length;
            _items[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            envelope = default;
            return false;
        }
        lock (this)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            envelope = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0)
            {
                _head = 0;
                if (_items.Length > KeepSlots) _items = [];
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

public sealed class CompactMailbox : MailboxType, IProducesMessageQueue<CompactMessageQueue>
{
    public CompactMailbox(Settings settings, Config config) : base(settings, config) { }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactMessageQueue();

    /// <summary>HOCON that puts it under every actor (default and deque-based mailboxes).</summary>
    public static string Hocon(bool everyActor)
    {
        var type = typeof(CompactMailbox).AssemblyQualifiedName;
        return everyActor
            ? $"akka.actor.default-mailbox.mailbox-type = \"{type}\"\nakka.actor.mailbox.unbounded-queue-based.mailbox-type = \"{type}\"\nakka.actor.mailbox.unbounded-deque-based.mailbox-type = \"{type}\""
            : $"akka.actor.mailbox.unbounded-deque-based.mailbox-type = \"{type}\"";
    }
}
