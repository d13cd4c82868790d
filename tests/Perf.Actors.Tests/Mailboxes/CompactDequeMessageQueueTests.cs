using Akka.Actor;
using Akka.Dispatch;
using Perf.Actors.Mailboxes;

namespace Perf.Actors.Tests.Mailboxes;

public sealed class CompactDequeMessageQueueTests
{
    private static readonly IActorRef Receiver = ActorRefs.Nobody;

    private static Envelope Message(int n) => new(n, ActorRefs.NoSender);

    private static List<int> Drain(CompactDequeMessageQueue queue)
    {
        var drained = new List<int>();
        while (queue.TryDequeue(out var envelope)) drained.Add((int)envelope.Message);
        return drained;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(1000)]
    public void Delivers_in_order_across_growth(int count)
    {
        var queue = new CompactDequeMessageQueue();
        for (var i = 0; i < count; i++) queue.Enqueue(Receiver, Message(i));
        Assert.Equal(count, queue.Count);
        Assert.Equal(Enumerable.Range(0, count), Drain(queue));
        Assert.False(queue.HasMessages);
    }

    [Fact]
    public void EnqueueFirst_puts_unstashed_messages_ahead_in_their_order()
    {
        var queue = new CompactDequeMessageQueue();
        queue.Enqueue(Receiver, Message(3));
        queue.Enqueue(Receiver, Message(4));
        // Unstashing enqueues the stash back to front.
        queue.EnqueueFirst(Message(2));
        queue.EnqueueFirst(Message(1));
        queue.Enqueue(Receiver, Message(5));
        Assert.Equal([1, 2, 3, 4, 5], Drain(queue));
    }

    [Fact]
    public void Wraps_around_when_consumption_and_production_interleave()
    {
        var queue = new CompactDequeMessageQueue();
        var expected = new List<int>();
        var drained = new List<int>();
        var next = 0;
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 3; i++) { queue.Enqueue(Receiver, Message(next)); expected.Add(next++); }
            if (round % 7 == 0) { queue.EnqueueFirst(Message(-round)); expected.Insert(drained.Count, -round); }
            queue.TryDequeue(out var e);
            drained.Add((int)e.Message);
        }
        drained.AddRange(Drain(queue));
        Assert.Equal(expected, drained);
    }

    [Fact]
    public void Gives_back_a_grown_buffer_once_drained_and_starts_empty()
    {
        var queue = new CompactDequeMessageQueue();
        Assert.Equal(0, queue.Capacity);
        for (var i = 0; i < 100; i++) queue.Enqueue(Receiver, Message(i));
        Assert.True(queue.Capacity >= 100);
        Drain(queue);
        Assert.Equal(0, queue.Capacity);

        queue.Enqueue(Receiver, Message(1));
        queue.TryDequeue(out _);
        Assert.True(queue.Capacity <= CompactDequeMessageQueue.KeptSlots); // a small buffer is kept for the next message
    }

    [Fact]
    public async Task Concurrent_producers_lose_nothing_and_keep_each_producers_order()
    {
        var queue = new CompactDequeMessageQueue();
        const int producers = 4, perProducer = 20_000;
        var received = new List<int>();
        var consumer = Task.Run(() =>
        {
            while (received.Count < producers * perProducer)
                if (queue.TryDequeue(out var e)) received.Add((int)e.Message);
        });
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++) queue.Enqueue(Receiver, Message(p * perProducer + i));
        })));
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(producers * perProducer, received.Distinct().Count());
        foreach (var p in Enumerable.Range(0, producers))
        {
            var own = received.Where(n => n / perProducer == p).ToList();
            Assert.Equal(own.OrderBy(n => n), own);
        }
    }
}
