using System.Collections.Concurrent;

namespace Perf.Actors.Ingestion;

/// <summary>
/// The node's interned series: every request that names a known series finds the one <see cref="SeriesRef"/> of it, with
/// the index its host gave it, so the write path allocates nothing per sample and asks a host only about series it has
/// not seen (the cardinality guard). Two ways in: by host and metric name (the JSON, line protocol and OTLP paths, which
/// build names anyway), and by a hash of a protocol's own identity bytes (remote write's label set), compared byte for
/// byte on a hit so that a hash collision costs a slow path, never the wrong series.
/// </summary>
public sealed class SeriesTable
{
    private readonly ConcurrentDictionary<string, HostRef> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Host, string Metric), SeriesRef> _byName = new();
    private readonly ConcurrentDictionary<ulong, KeyedSeries> _byKey = new();

    /// <summary>Series interned so far.</summary>
    public int Count => _byName.Count;

    public HostRef Host(string name) => _hosts.TryGetValue(name, out var host) ? host : _hosts.GetOrAdd(name, static n => new HostRef(n));

    /// <summary>The series <paramref name="metric"/> of <paramref name="host"/>, interned on first use.</summary>
    public SeriesRef Series(string host, string metric)
    {
        if (_byName.TryGetValue((host, metric), out var series)) return series;
        var hostRef = Host(host);
        var created = new SeriesRef(hostRef, metric);
        if (!_byName.TryAdd((host, metric), created)) return _byName[(host, metric)];
        hostRef.Add(created);
        return created;
    }

    /// <summary>
    /// The series interned under identity bytes with this hash (<see cref="AddKey"/>), and those bytes: the caller compares
    /// them with its own before taking the series (a hash is not an identity).
    /// </summary>
    public bool TryGet(ulong hash, out SeriesRef series, out byte[] key)
    {
        if (_byKey.TryGetValue(hash, out var keyed))
        {
            (series, key) = (keyed.Series, keyed.Key);
            return true;
        }
        (series, key) = (null!, []);
        return false;
    }

    /// <summary>Remembers that identity bytes <paramref name="key"/> (the table keeps the array) name <paramref name="series"/>.
    /// A second key with the same hash is not kept: it takes the slow path every time (a collision of 64-bit hashes).</summary>
    public void AddKey(ulong hash, byte[] key, SeriesRef series) => _byKey.TryAdd(hash, new KeyedSeries(key, series));

    private sealed record KeyedSeries(byte[] Key, SeriesRef Series);
}
