using Akka.Cluster.Sharding;
using Perf.Actors.Hosts;

namespace Perf.Actors.Series;

/// <summary>
/// Routes every message to its host over a fixed shard count: host messages by their host, series messages
/// (<c>{host}/{metric}</c>) by the host part, since a host owns its series.
/// </summary>
public sealed class PerfMessageExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    public override string? EntityId(object message) => message switch
    {
        IHostMessage host => host.Host,
        ISeriesMessage series => HostOf(series.EntityId),
        _ => null,
    };

    private static string HostOf(string entityId)
    {
        var slash = entityId.IndexOf('/');
        return slash > 0 ? entityId[..slash] : entityId;
    }
}
