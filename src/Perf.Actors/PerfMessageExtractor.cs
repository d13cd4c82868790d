using Akka.Cluster.Sharding;
using Perf.Actors.Hosts;

namespace Perf.Actors.Series;

/// <summary>Routes series messages by <c>{host}/{metric}</c> and host messages by host name over a fixed shard count.</summary>
public sealed class PerfMessageExtractor(int maxNumberOfShards) : HashCodeMessageExtractor(maxNumberOfShards)
{
    public override string? EntityId(object message) => message switch
    {
        ISeriesMessage series => series.EntityId,
        IHostMessage host => host.Host,
        _ => null,
    };
}
