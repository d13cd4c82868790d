namespace Perf.Actors.Hosts;

/// <summary>Every message a <see cref="HostActor"/> accepts names its host, the sharding entity id.</summary>
public interface IHostMessage : IPerfMessage
{
    string Host { get; }
}

public static class HostCommands
{
    /// <summary>
    /// Makes sure the host knows these series before their points are written; refused as a whole when it would take the
    /// host past its series limit (the cardinality guard), so a rejected request stores nothing.
    /// </summary>
    public sealed record RegisterSeries(string Host, string[] Metrics) : IHostMessage;

    /// <summary>
    /// Would <see cref="RegisterSeries"/> be accepted now, and with how many new series? Answered with a
    /// <see cref="SeriesRegistration"/> and changes nothing. The write path asks every host of a request this first, so
    /// that one host over its limit refuses the request before any other registers its new series, and registers only
    /// where there are new series (in steady state, the check is the only ask).
    /// </summary>
    public sealed record CheckSeries(string Host, string[] Metrics) : IHostMessage;

    /// <param name="New">how many of the requested series the host did not know (to a check: would register).</param>
    public sealed record SeriesRegistration(bool Accepted, int SeriesCount, int Limit, int Requested, int New = 0) : IPerfMessage;

    /// <summary>Latest persisted value of some of the host's series (sent after their points were acknowledged).</summary>
    public sealed record RecordLatest(string Host, string[] Metrics, long[] Timestamps, double[] Values) : IHostMessage;
}

public static class HostQueries
{
    public sealed record GetHost(string Host) : IHostMessage;

    public sealed record HostView(string Host, SeriesLatest[] Series) : IPerfMessage;

    /// <param name="TimestampMs">0 when no value has been recorded since the host's last snapshot.</param>
    public sealed record SeriesLatest(string Metric, long TimestampMs, double Value);

    public sealed record HostNotFound(string Host) : IPerfMessage;
}

public static class HostEvents
{
    public sealed record SeriesAdded(string[] Metrics) : IPerfMessage;
}

/// <summary>The host's series and their latest values.</summary>
public sealed record HostSnapshot(string[] Metrics, long[] LatestTimestamps, double[] LatestValues) : IPerfMessage;
