using Akka.Actor;

namespace Perf.Actors.Telemetry;

/// <summary>
/// What a node holds, for operators asking from any node (<c>GET /api/v1/cluster</c>): one at <c>/user/node-stats</c>
/// on every node. Series live inside their hosts, so the shards' entity counts are hosts; the series are counted here.
/// </summary>
public sealed class NodeStatsActor : ReceiveActor
{
    public const string Name = "node-stats";

    public NodeStatsActor() => Receive<GetNodeStats>(_ => Sender.Tell(new NodeStats(PerfMetrics.ActiveSeries)));

    public static Props Props() => Akka.Actor.Props.Create<NodeStatsActor>();
}

/// <summary>Asks a node's <see cref="NodeStatsActor"/>; answered with <see cref="NodeStats"/>.</summary>
public sealed record GetNodeStats : IPerfMessage
{
    public static readonly GetNodeStats Instance = new();
}

/// <param name="Series">series held by the hosts running on the node.</param>
public sealed record NodeStats(long Series) : IPerfMessage;
