namespace Perf.Actors.Hosts;

/// <summary>Every message a <see cref="HostActor"/> accepts names its host, the sharding entity id.</summary>
public interface IHostMessage : IPerfMessage
{
    string Host { get; }
}

public static class HostCommands
{
    /// <summary>
    /// Would <see cref="RegisterSeries"/> be accepted now, and with how many new series? Answered with a
    /// <see cref="SeriesRegistration"/> and changes nothing. A request with series no node has seen before asks every
    /// host of them this first, so that one host over its limit refuses the request before any other registers its new
    /// series (a refused request stores nothing).
    /// </summary>
    public sealed record CheckSeries(string Host, string[] Metrics) : IHostMessage;

    /// <summary>
    /// Makes sure the host knows these series before their points are written, refused as a whole when it would take
    /// the host past its series limit (the cardinality guard). Answered once the new series are stored, with the index
    /// of every requested series: appends address series by index.
    /// </summary>
    public sealed record RegisterSeries(string Host, string[] Metrics) : IHostMessage;

    /// <param name="New">how many of the requested series the host did not know (to a check: would register).</param>
    /// <param name="Indexes">to a registration that was accepted: the index of each requested series, in order.</param>
    /// <param name="Failure">why the host could not register them now (its write failed, or it is rebuilding after one):
    /// not the series limit, so the sender answers 503 and a retry is safe.</param>
    public sealed record SeriesRegistration(bool Accepted, int SeriesCount, int Limit, int Requested, int New = 0, int[]? Indexes = null, string? Failure = null) : IPerfMessage;

    /// <summary>
    /// Samples of the host's series, as a slice (<paramref name="Offset"/>, <paramref name="Count"/>) of columns: series
    /// index, timestamp (epoch ms), value. The columns may be shared with other hosts' slices of the same request, so a
    /// host reads only its slice and keeps no reference to them after its reply. Points may come in any order; a timestamp
    /// a series already holds is overwritten (last write wins), so a retried request never stores a point twice. Answered
    /// with <see cref="AppendResult"/> once the accepted points are committed, or <see cref="AppendFailed"/>.
    /// </summary>
    public sealed record AppendSamples(string Host, int[] Series, long[] Timestamps, double[] Values, int Offset, int Count, long Correlation) : IHostMessage;

    /// <param name="Accepted">points now stored.</param>
    /// <param name="RejectedTooOld">points older than their series' newest by more than the out-of-order tolerance.</param>
    /// <param name="RejectedSeries">the indexes of the series with such points (null when there are none)...</param>
    /// <param name="RejectedCounts">... and how many each.</param>
    public sealed record AppendResult(int Accepted, int RejectedTooOld, long Correlation, int[]? RejectedSeries = null, int[]? RejectedCounts = null) : IPerfMessage;

    /// <summary>
    /// The samples were not stored: the host's write failed (the database is away, the disk is full) or the host does not
    /// know a series index (<paramref name="UnknownSeries"/>: the sender's view of the host's series is stale). Retrying is
    /// safe: the same timestamps overwrite.
    /// </summary>
    public sealed record AppendFailed(string Reason, long Correlation, bool UnknownSeries = false) : IPerfMessage;

    /// <summary>
    /// A stopping host's answer to an append that reached it directly rather than through its shard (which holds a
    /// stopping host's messages back): send it again through the region. Only ever sent within a node.
    /// </summary>
    public sealed record AppendReturned(AppendSamples Append);

    /// <summary>
    /// What the shard sends a host it passivates or hands off (its stop message): the host waits for its writes, stores a
    /// snapshot of what it wrote since its last one, then stops. Sent only by the local shard, never over the wire.
    /// </summary>
    public sealed record StopHost
    {
        public static readonly StopHost Instance = new();
        private StopHost() { }
    }
}

public static class HostQueries
{
    public sealed record GetHost(string Host) : IHostMessage;

    public sealed record HostView(string Host, SeriesLatest[] Series) : IPerfMessage;

    /// <param name="TimestampMs">0 when the series has no point yet.</param>
    public sealed record SeriesLatest(string Metric, long TimestampMs, double Value);

    public sealed record HostNotFound(string Host) : IPerfMessage;
}
