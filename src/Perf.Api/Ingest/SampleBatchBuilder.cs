using Perf.Actors.Ingestion;

namespace Perf.Api.Ingest;

/// <summary>
/// The samples a request decoded to, by host and series name, in order: what the name-based decoders (the document's
/// JSON, line protocol, OTLP) collect before <see cref="Build"/> resolves the names against the node's
/// <see cref="SeriesTable"/> into the columnar <see cref="SampleBatch"/> the write path takes.
/// </summary>
public sealed class SampleBatchBuilder
{
    private readonly List<(string Host, string Metric, long TimestampMs, double Value)> _samples = [];
    private readonly HashSet<string> _hosts = new(StringComparer.Ordinal);

    public int SampleCount => _samples.Count;

    public IEnumerable<string> Hosts => _hosts;

    public void Add(string host, string metric, long timestampMs, double value)
    {
        _samples.Add((host, metric, timestampMs, value));
        _hosts.Add(host);
    }

    /// <summary>The samples as columns of interned series; the caller disposes it.</summary>
    public SampleBatch Build(SeriesTable series)
    {
        var batch = new SampleBatch(_samples.Count);
        foreach (var (host, metric, timestampMs, value) in _samples) batch.Add(series.Series(host, metric), timestampMs, value);
        return batch;
    }
}
