using System.Collections.Concurrent;
using Akka.Actor;
using static Perf.Actors.Hosts.HostCommands;

namespace Perf.Actors.Ingestion;

/// <summary>
/// Collects the replies of the host appends of every in-flight request through one actor, instead of a temporary
/// actor per append (an Ask: a kilobyte of garbage and a scheduler entry each). A correlation is the request number in
/// the high bits and the append's index in the request (its host) in the low 24 bits.
/// </summary>
public sealed class AppendAcknowledgements
{
    private const int IndexBits = 24;
    public const int MaxAppendsPerRequest = 1 << IndexBits;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private long _lastRequest;

    public AppendAcknowledgements(ActorSystem system) =>
        Collector = system.ActorOf(Props.Create(() => new CollectorActor(this)), "ingest-acknowledgements");

    /// <summary>The actor the appends are sent from, so their replies come here.</summary>
    public IActorRef Collector { get; }

    /// <summary>Registers a request of <paramref name="count"/> appends; await <see cref="Request.Results"/>.</summary>
    public Request Begin(int count, CancellationToken deadline)
    {
        if (count >= MaxAppendsPerRequest) throw new ArgumentOutOfRangeException(nameof(count), count, $"at most {MaxAppendsPerRequest - 1} hosts per request");
        var id = Interlocked.Increment(ref _lastRequest);
        var pending = new Pending(count);
        _pending[id] = pending;
        if (count == 0) pending.Done.TrySetResult(pending.Results);
        var registration = deadline.Register(static state => ((Pending)state!).Done.TrySetCanceled(), pending);
        return new Request(this, id, pending, registration);
    }

    /// <summary>One append of the request could not be stored: the request fails now instead of at its deadline.</summary>
    private void Fail(AppendFailed failed)
    {
        if (_pending.TryGetValue(failed.Correlation >> IndexBits, out var pending))
            pending.Done.TrySetException(new HostWriteFailedException(failed.Reason, (int)(failed.Correlation & (MaxAppendsPerRequest - 1)), failed.UnknownSeries));
    }

    private void Acknowledge(AppendResult result)
    {
        var id = result.Correlation >> IndexBits;
        var index = (int)(result.Correlation & (MaxAppendsPerRequest - 1));
        // A reply after the request gave up (deadline) finds nothing to complete.
        if (!_pending.TryGetValue(id, out var pending) || pending.Results[index] is not null) return;
        pending.Results[index] = result;
        if (Interlocked.Decrement(ref pending.Remaining) == 0) pending.Done.TrySetResult(pending.Results);
    }

    public sealed class Request(AppendAcknowledgements owner, long id, Pending pending, CancellationTokenRegistration registration) : IDisposable
    {
        public long Correlation(int index) => id << IndexBits | (uint)index;

        /// <summary>One result per append, by index; cancelled when the deadline passes first, failed with
        /// <see cref="HostWriteFailedException"/> when a host could not store its samples.</summary>
        public Task<AppendResult?[]> Results => pending.Done.Task;

        public void Dispose()
        {
            registration.Dispose();
            owner._pending.TryRemove(id, out _);
        }
    }

    public sealed class Pending(int count)
    {
        public readonly AppendResult?[] Results = new AppendResult?[count];
        public readonly TaskCompletionSource<AppendResult?[]> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Remaining = count;
    }

    private sealed class CollectorActor : ReceiveActor
    {
        public CollectorActor(AppendAcknowledgements owner)
        {
            Receive<AppendResult>(owner.Acknowledge);
            Receive<AppendFailed>(owner.Fail);
        }
    }
}
