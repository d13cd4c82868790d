using Perf.Actors.Ingestion;

namespace Perf.Api.Agents;

/// <summary>
/// Collects the samples an agent's request decoded to, grouped by host and series, into the <see cref="IngestBatch"/>
/// the ingestion pipeline takes: the same pipeline, durability contract, backpressure and cardinality guard as the
/// JSON endpoint.
/// </summary>
public sealed class SampleBatchBuilder
{
    private readonly Dictionary<string, Dictionary<string, Series>> _hosts = new(StringComparer.Ordinal);

    public int SampleCount { get; private set; }

    public void Add(string host, string metric, long timestampMs, double value)
    {
        if (!_hosts.TryGetValue(host, out var series)) _hosts[host] = series = new Dictionary<string, Series>(StringComparer.Ordinal);
        if (!series.TryGetValue(metric, out var samples)) series[metric] = samples = new Series();
        samples.Timestamps.Add(timestampMs);
        samples.Values.Add(value);
        SampleCount++;
    }

    public IEnumerable<string> Hosts => _hosts.Keys;

    public IngestBatch Build() => new(_hosts
        .Select(h => new HostSamples(h.Key, h.Value.Select(s => new SeriesSamples(s.Key, [.. s.Value.Timestamps], [.. s.Value.Values])).ToArray()))
        .ToArray());

    private sealed class Series
    {
        public readonly List<long> Timestamps = new(1);
        public readonly List<double> Values = new(1);
    }
}
