namespace Perf.Actors.Ingestion;

/// <summary>A host of the request answered that it could not store its samples (see <c>HostCommands.AppendFailed</c>).</summary>
/// <param name="hostIndex">which of the request's hosts.</param>
/// <param name="unknownSeries">the host did not know a series index this node sent: its view of the host is stale.</param>
public sealed class HostWriteFailedException(string reason, int hostIndex, bool unknownSeries) : Exception($"a host could not store its samples: {reason}")
{
    public int HostIndex { get; } = hostIndex;

    public bool UnknownSeries { get; } = unknownSeries;
}
