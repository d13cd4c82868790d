using Akka.Actor;
using Akka.Cluster;

namespace Perf.Actors.Ingestion;

/// <summary>
/// Tells the <see cref="IngestionPipeline"/> when a worker (a member that owns hosts) becomes unreachable, reachable
/// again, or is removed, so that writes waiting on it end in seconds rather than at the write timeout.
/// </summary>
public sealed class MemberLossWatch : ReceiveActor
{
    private readonly HashSet<Address> _unreachable = [];

    public MemberLossWatch(IngestionPipeline pipeline, string workerRole)
    {
        Receive<ClusterEvent.UnreachableMember>(e => e.Member.HasRole(workerRole), e =>
        {
            _unreachable.Add(e.Member.Address);
            pipeline.WorkersUnreachable(true, e.Member.Address.ToString());
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            if (_unreachable.Remove(e.Member.Address) && _unreachable.Count == 0) pipeline.WorkersUnreachable(false, e.Member.Address.ToString());
        });
        Receive<ClusterEvent.MemberRemoved>(e => e.Member.HasRole(workerRole), e =>
        {
            _unreachable.Remove(e.Member.Address);
            pipeline.WorkerRemoved(e.Member.Address.ToString());
            if (_unreachable.Count == 0) pipeline.WorkersUnreachable(false, e.Member.Address.ToString());
        });
        ReceiveAny(_ => { });
    }

    public static Props Props(IngestionPipeline pipeline, string workerRole) => Akka.Actor.Props.Create(() => new MemberLossWatch(pipeline, workerRole));

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
}
