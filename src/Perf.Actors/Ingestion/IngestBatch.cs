namespace Perf.Actors.Ingestion;

/// <summary>A validated request: points grouped by host and series. Built by a wire-format parser.</summary>
public sealed record IngestBatch(IReadOnlyList<HostSamples> Hosts)
{
    public int PointCount => Hosts.Sum(h => h.Series.Sum(s => s.Timestamps.Length));
}

public sealed record HostSamples(string Host, IReadOnlyList<SeriesSamples> Series);

public sealed record SeriesSamples(string Metric, long[] Timestamps, double[] Values);
