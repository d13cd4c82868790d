using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using Perf.Actors.Security;

namespace Perf.Host;

/// <summary>What the API talks to: the shard regions, the host directory and the ingestion pipeline of this node.</summary>
public sealed class PerfEngine(
    ActorSystem system,
    IRequiredActor<SeriesRegion> series,
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
    TimeProvider clock)
{
    private readonly Lazy<IngestionPipeline> _pipeline = new(() =>
        new IngestionPipeline(system, series.ActorRef, hosts.ActorRef, settings.Engine.Ingest, clock));

    public ActorSystem System => system;
    public PerfSettings Settings => settings;
    public IActorRef Series => series.ActorRef;
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

    /// <summary>Ready when this node is an Up cluster member and its database answers.</summary>
    public async Task<(bool Ready, string Reason)> ReadinessAsync(CancellationToken cancellationToken)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        if (status != MemberStatus.Up) return (false, $"cluster member is {status}");
        if (!keyRegistry.Loaded) return (false, "API keys not loaded yet");
        return await storage.IsReachableAsync(cancellationToken) ? (true, "ok") : (false, "database unreachable");
    }
}
