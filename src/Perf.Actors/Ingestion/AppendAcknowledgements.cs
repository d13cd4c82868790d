using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using static Perf.Actors.Hosts.HostCommands;

namespace Perf.Actors.Ingestion;

/// <summary>
/// Delivers the host appends of every in-flight request and collects their replies through one actor, instead of a
/// temporary actor per append (an Ask: a kilobyte of garbage and a scheduler entry each). A correlation is the request
/// number in the high bits and the append's index in the request (its host) in the low 24 bits.
/// <para>
/// A host that has answered from this node is written to directly afterwards (<see cref="HostRef.Actor"/>), not through
/// the shard region and its shard: two message hops fewer per host and request, which is most of what a write of one
/// point per host costs. The region stays the way in for a host that is new, remote (another cluster member owns it) or
/// gone: a host that is stopping (passivated or handed off) returns what reaches it directly
/// (<see cref="AppendReturned"/>), and an append that finds it stopped comes back as a dead letter; both are sent again
/// through the region, which starts the host again or finds its new owner.
/// </para>
/// </summary>
public sealed class AppendAcknowledgements
{
    private const int IndexBits = 24;
    public const int MaxAppendsPerRequest = 1 << IndexBits;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly IActorRef _hostRegion;
    private long _lastRequest;

    public AppendAcknowledgements(ActorSystem system, IActorRef hostRegion)
    {
        _hostRegion = hostRegion;
        Collector = system.ActorOf(Props.Create(() => new CollectorActor(this)), "ingest-acknowledgements");
    }

    /// <summary>The actor the appends are sent from, so their replies come here.</summary>
    public IActorRef Collector { get; }

    /// <summary>Registers a request with one append per host of <paramref name="hosts"/>; await <see cref="Request.Results"/>.</summary>
    public Request Begin(IReadOnlyList<HostRef> hosts, CancellationToken deadline)
    {
        var count = hosts.Count;
        if (count >= MaxAppendsPerRequest) throw new ArgumentOutOfRangeException(nameof(hosts), count, $"at most {MaxAppendsPerRequest - 1} hosts per request");
        var id = Interlocked.Increment(ref _lastRequest);
        var pending = new Pending(hosts);
        _pending[id] = pending;
        if (count == 0) pending.Done.TrySetResult(pending.Results);
        var registration = deadline.Register(static state => ((Pending)state!).Done.TrySetCanceled(), pending);
        return new Request(this, id, pending, registration);
    }

    /// <summary>Sends an append to its host: straight to the host's actor when this node has one, else through the region.</summary>
    public void Send(HostRef host, AppendSamples append) => (host.Actor ?? _hostRegion).Tell(append, Collector);

    /// <summary>One append of the request could not be stored: the request fails now instead of at its deadline.</summary>
    private void Fail(AppendFailed failed)
    {
        if (_pending.TryGetValue(RequestOf(failed.Correlation), out var pending))
            pending.Done.TrySetException(new HostWriteFailedException(failed.Reason, IndexOf(failed.Correlation), failed.UnknownSeries));
    }

    /// <returns>the host that answered, when the answer is new (not after the request gave up, not a second one).</returns>
    private HostRef? Acknowledge(AppendResult result)
    {
        var index = IndexOf(result.Correlation);
        // A reply after the request gave up (deadline) finds nothing to complete.
        if (!_pending.TryGetValue(RequestOf(result.Correlation), out var pending) || pending.Results[index] is not null) return null;
        pending.Results[index] = result;
        if (Interlocked.Decrement(ref pending.Remaining) == 0) pending.Done.TrySetResult(pending.Results);
        return pending.Hosts[index];
    }

    /// <summary>An append that did not reach a running host goes again through the region, unless its request gave up.</summary>
    private void Redeliver(AppendSamples append, HostRef? host)
    {
        if (host is not null) host.Actor = null;
        if (_pending.ContainsKey(RequestOf(append.Correlation))) _hostRegion.Tell(append, Collector);
    }

    private HostRef? HostOf(AppendSamples append) =>
        _pending.TryGetValue(RequestOf(append.Correlation), out var pending) ? pending.Hosts[IndexOf(append.Correlation)] : null;

    private static long RequestOf(long correlation) => correlation >> IndexBits;

    private static int IndexOf(long correlation) => (int)(correlation & (MaxAppendsPerRequest - 1));

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

    public sealed class Pending(IReadOnlyList<HostRef> hosts)
    {
        public readonly IReadOnlyList<HostRef> Hosts = hosts;
        public readonly AppendResult?[] Results = new AppendResult?[hosts.Count];
        public readonly TaskCompletionSource<AppendResult?[]> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Remaining = hosts.Count;
    }

    private sealed class CollectorActor : ReceiveActor
    {
        // The hosts written to directly, by their actor: a host that stops is forgotten, and reached through the region again.
        private readonly Dictionary<IActorRef, HostRef> _direct = [];

        public CollectorActor(AppendAcknowledgements owner)
        {
            Receive<AppendResult>(result =>
            {
                // Only a host on this node: a remote one can move without this node hearing of it in time.
                if (owner.Acknowledge(result) is not { } host || host.Actor is not null || Sender is not IActorRefScope { IsLocal: true }) return;
                host.Actor = Sender;
                if (_direct.TryAdd(Sender, host)) Context.Watch(Sender);
            });
            Receive<AppendFailed>(owner.Fail);
            Receive<AppendReturned>(returned => owner.Redeliver(returned.Append, Forget(Sender)));
            Receive<DeadLetter>(dead =>
            {
                // Only what was sent straight to a host: what the region could not deliver would come back again.
                if (dead.Message is AppendSamples append && Self.Equals(dead.Sender) && dead.Recipient is IActorRefScope { IsLocal: true }
                    && !dead.Recipient.Equals(owner._hostRegion))
                    owner.Redeliver(append, owner.HostOf(append));
            });
            Receive<Terminated>(terminated => Forget(terminated.ActorRef));
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

        private HostRef? Forget(IActorRef actor)
        {
            if (!_direct.Remove(actor, out var host)) return null;
            Context.Unwatch(actor);
            if (ReferenceEquals(host.Actor, actor)) host.Actor = null;
            return host;
        }
    }
}
