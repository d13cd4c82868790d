using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Perf.Host.Membership;

/// <summary>
/// Downs an unreachable member at once when its process is provably gone: its host answers, but refuses connections on
/// the member's cluster port (a crash, <c>kill -9</c>, an OOM kill). Nothing listens there, so nothing of that member can
/// still be running, and the split brain resolver's wait (<c>perf.cluster.down_unreachable_after</c>), which is there
/// for members that might be alive behind a partition, buys nothing. A member that cannot be reached at all (a dead
/// machine, a partition) or that accepts the connection (alive but stalled) is left to the resolver.
/// </summary>
public sealed class CrashedMemberDowning : ReceiveActor, IWithTimers
{
    public const string Name = "crashed-member-downing";
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<Address> _unreachable = [];

    public CrashedMemberDowning()
    {
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            if (_unreachable.Add(e.Member.Address)) Probe(e.Member.Address);
        });
        Receive<ClusterEvent.ReachableMember>(e => _unreachable.Remove(e.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(e => _unreachable.Remove(e.Member.Address));
        Receive<ProbeAgain>(again =>
        {
            if (_unreachable.Contains(again.Member)) Probe(again.Member);
        });
        Receive<Refused>(refused =>
        {
            if (!_unreachable.Contains(refused.Member)) return;
            var member = _cluster.State.Members.FirstOrDefault(m => m.Address.Equals(refused.Member));
            if (member is null || member.Status is MemberStatus.Down or MemberStatus.Removed or MemberStatus.Exiting) return;
            _log.Warning("Cluster member {0} is unreachable and refuses connections on its cluster port: its process is gone. Downing it now " +
                         "rather than after perf.cluster.down_unreachable_after", refused.Member);
            _cluster.Down(refused.Member);
        });
        Receive<NotRefused>(notRefused => Timers.StartSingleTimer(notRefused.Member, new ProbeAgain(notRefused.Member), ProbeEvery));
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new CrashedMemberDowning());

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Probe(Address member)
    {
        if (member.Host is { } host && member.Port is { } port) ProbeAsync(member, host, port).PipeTo(Self);
    }

    private static async Task<object> ProbeAsync(Address member, string host, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            return new NotRefused(member); // something listens: alive but stalled, or a partition that lets this through
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new Refused(member);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return new NotRefused(member); // no answer at all: a dead machine or a partition, the resolver's case
        }
    }

    private sealed record Refused(Address Member);
    private sealed record NotRefused(Address Member);
    private sealed record ProbeAgain(Address Member);
}
