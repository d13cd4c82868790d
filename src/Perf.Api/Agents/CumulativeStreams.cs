using System.Collections.Concurrent;

namespace Perf.Api.Agents;

/// <summary>
/// The previous point of each cumulative OTLP stream this node has seen (a monotonic sum's value, a histogram's
/// buckets), so the next point can be turned into a rate, or into the distribution of its own interval. Held in
/// memory only: after a restart, or on another node, the first point falls back to its start time (the value was 0
/// then, by OTLP's definition). Bounded: past <see cref="MaxStreams"/> entries it is cleared and starts again.
/// </summary>
public sealed class CumulativeStreams
{
    public const int MaxStreams = 100_000;

    private readonly ConcurrentDictionary<(string Host, string Metric, ulong Start), Previous> _streams = new();

    /// <param name="Buckets">per bucket counts (histograms), else empty.</param>
    public sealed record Previous(ulong TimeUnixNano, double Value, double[] Buckets);

    public Previous? Get(string host, string metric, ulong start) => _streams.GetValueOrDefault((host, metric, start));

    public void Set(string host, string metric, ulong start, Previous point)
    {
        if (_streams.Count >= MaxStreams) _streams.Clear();
        _streams[(host, metric, start)] = point;
    }
}
