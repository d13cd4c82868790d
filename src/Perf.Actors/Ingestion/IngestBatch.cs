namespace Perf.Actors.Ingestion;

/// <summary>Points the engine writes itself (its own figures, load tests), grouped by host and series by name.</summary>
public sealed record IngestBatch(IReadOnlyList<HostSamples> Hosts)
{
    public int PointCount => Hosts.Sum(h => h.Series.Sum(s => s.Timestamps.Length));
}

public sealed record HostSamples(string Host, IReadOnlyList<SeriesSamples> Series);

public sealed record SeriesSamples(string Metric, long[] Timestamps, double[] Values);
