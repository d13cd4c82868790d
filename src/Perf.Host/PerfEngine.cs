using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using Perf.Actors.Security;

namespace Perf.Host;

/// <summary>What the API talks to: the host shard region, the singletons and the ingestion pipeline of this node.</summary>
public sealed class PerfEngine(
    ActorSystem system,
    IRequiredActor<HostRegion> hosts,
    IRequiredActor<HostDirectory> directory,
    IRequiredActor<AlertRuleBookKey> alertRules,
    IRequiredActor<SilenceBookKey> silences,
    IRequiredActor<NotificationDispatcherKey> notifications,
    IRequiredActor<AnalysisKey> analysis,
    IRequiredActor<ReportJobsKey> reports,
    IRequiredActor<KeyBookKey> keys,
    IRequiredActor<AuditTrailKey> audit,
    ApiKeyRegistry keyRegistry,
    PerfSettings settings,
    PerfStorage storage,
    StorageReserve reserve,
    TimeProvider clock)
{
    private readonly Lazy<IngestionPipeline> _pipeline = new(() =>
        new IngestionPipeline(system, hosts.ActorRef, settings.Engine.Ingest, clock, storageShortage: reserve.Shortage));

    public ActorSystem System => system;
    public PerfSettings Settings => settings;

    /// <summary>Where series messages go: the host region, which routes each to the series' host.</summary>
    public IActorRef Series => hosts.ActorRef;

    public IActorRef Hosts => hosts.ActorRef;
    public IActorRef Directory => directory.ActorRef;
    public IActorRef AlertRules => alertRules.ActorRef;
    public IActorRef Silences => silences.ActorRef;
    public IActorRef Notifications => notifications.ActorRef;
    public IActorRef Analysis => analysis.ActorRef;
    public IActorRef Reports => reports.ActorRef;
    public IActorRef Keys => keys.ActorRef;
    public IActorRef Audit => audit.ActorRef;
    public IngestionPipeline Ingestion => _pipeline.Value;

    /// <summary>
    /// Ready when this node is an Up cluster member, its database answers and has room (<see cref="StorageReserve"/>) and, on a worker, the host log takes writes
    /// (after a crash its start-up scan of a large log takes seconds, and writes wait for it).
    /// </summary>
    public async Task<(bool Ready, string Reason)> ReadinessAsync(CancellationToken cancellationToken)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        if (status != MemberStatus.Up) return (false, $"cluster member is {status}");
        if (!keyRegistry.Loaded) return (false, "API keys not loaded yet");
        if (!await storage.IsReachableAsync(cancellationToken)) return (false, "database unreachable");
        // Reads still work on a full disk, writes do not: a load balancer should send them elsewhere meanwhile.
        if (reserve.Shortage() is { } shortage) return (false, "writes are refused: " + shortage);
        if (storage.Hosts.WritesFailingWithin(TimeSpan.FromSeconds(5)) is { } failing) return (false, "writes are failing: " + failing);
        if (!settings.Engine.Cluster.IsWorker) return (true, "ok");
        var log = storage.Hosts.Log;
        return log.Loaded.IsCompletedSuccessfully ? (true, "ok")
            : log.Loaded.IsFaulted ? (false, "the host log failed to load: " + log.Loaded.Exception!.GetBaseException().Message)
            : (false, log.LoadProgress);
    }
}
