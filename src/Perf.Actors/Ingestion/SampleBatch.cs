using System.Buffers;
using System.Collections.Concurrent;

namespace Perf.Actors.Ingestion;

/// <summary>
/// One request's samples as columns (series, timestamp, value) in arrays rented from the shared pool: what every wire
/// format decodes into, with no object per sample. The write path groups it by host (<see cref="GroupByHost"/>) into one
/// message per host. Dispose it once the request is answered.
/// </summary>
public sealed class SampleBatch : IDisposable
{
    private SeriesRef[] _series;
    private long[] _timestamps;
    private double[] _values;
    // Host ordinals of a batch, kept between requests: a dictionary for a hundred hosts per request was a tenth of the
    // write path's garbage.
    private static readonly ConcurrentBag<Dictionary<HostRef, int>> Ordinals = [];
    private Dictionary<HostRef, int> _hostOrdinals = Ordinals.TryTake(out var kept) ? kept : new(ReferenceEqualityComparer.Instance);
    private readonly List<HostRef> _hosts = [];
    private int[] _hostOf;

    public SampleBatch(int capacity = 64)
    {
        capacity = Math.Max(capacity, 16);
        _series = ArrayPool<SeriesRef>.Shared.Rent(capacity);
        _timestamps = ArrayPool<long>.Shared.Rent(capacity);
        _values = ArrayPool<double>.Shared.Rent(capacity);
        _hostOf = ArrayPool<int>.Shared.Rent(capacity);
    }

    public int Count { get; private set; }

    /// <summary>The hosts of the samples, in order of first appearance.</summary>
    public IReadOnlyList<HostRef> Hosts => _hosts;

    public SeriesRef SeriesAt(int i) => _series[i];

    public long TimestampAt(int i) => _timestamps[i];

    public double ValueAt(int i) => _values[i];

    public void Add(SeriesRef series, long timestampMs, double value)
    {
        if (Count == _timestamps.Length) Grow();
        if (!_hostOrdinals.TryGetValue(series.Host, out var ordinal))
        {
            ordinal = _hosts.Count;
            _hostOrdinals[series.Host] = ordinal;
            _hosts.Add(series.Host);
        }
        _series[Count] = series;
        _timestamps[Count] = timestampMs;
        _values[Count] = value;
        _hostOf[Count] = ordinal;
        Count++;
    }

    /// <summary>The series not registered with their host yet (by this node's view), each once, by host.</summary>
    public Dictionary<HostRef, List<SeriesRef>>? Unregistered()
    {
        Dictionary<HostRef, List<SeriesRef>>? unknown = null;
        HashSet<SeriesRef>? seen = null;
        for (var i = 0; i < Count; i++)
        {
            var series = _series[i];
            if (series.IsRegistered) continue;
            unknown ??= new Dictionary<HostRef, List<SeriesRef>>(ReferenceEqualityComparer.Instance);
            seen ??= new HashSet<SeriesRef>(ReferenceEqualityComparer.Instance);
            if (!seen.Add(series)) continue;
            if (!unknown.TryGetValue(series.Host, out var list)) unknown[series.Host] = list = [];
            list.Add(series);
        }
        return unknown;
    }

    /// <summary>
    /// The samples in host order (a counting sort: two passes, no comparison), with each series as its index in its host.
    /// Every series must be registered.
    /// </summary>
    public HostSlices GroupByHost()
    {
        var slices = new HostSlices(_hosts, Count);
        Span<int> next = _hosts.Count <= 256 ? stackalloc int[_hosts.Count] : new int[_hosts.Count];
        for (var i = 0; i < Count; i++) slices.Counts[_hostOf[i]]++;
        for (int h = 0, offset = 0; h < _hosts.Count; h++)
        {
            slices.Offsets[h] = offset;
            next[h] = offset;
            offset += slices.Counts[h];
        }
        for (var i = 0; i < Count; i++)
        {
            var at = next[_hostOf[i]]++;
            slices.Series[at] = _series[i].Index;
            slices.Timestamps[at] = _timestamps[i];
            slices.Values[at] = _values[i];
        }
        return slices;
    }

    public void Dispose()
    {
        if (_timestamps.Length == 0) return;
        var ordinals = Interlocked.Exchange(ref _hostOrdinals, null!);
        if (ordinals is not null && ordinals.Count <= 4096)
        {
            ordinals.Clear();
            Ordinals.Add(ordinals);
        }
        ArrayPool<SeriesRef>.Shared.Return(_series, clearArray: true);
        ArrayPool<long>.Shared.Return(_timestamps);
        ArrayPool<double>.Shared.Return(_values);
        ArrayPool<int>.Shared.Return(_hostOf);
        (_series, _timestamps, _values, _hostOf) = ([], [], [], []);
    }

    private void Grow()
    {
        var size = Math.Max(16, _timestamps.Length * 2);
        _series = Grown(_series, size, clear: true);
        _timestamps = Grown(_timestamps, size, clear: false);
        _values = Grown(_values, size, clear: false);
        _hostOf = Grown(_hostOf, size, clear: false);
    }

    private T[] Grown<T>(T[] array, int size, bool clear)
    {
        var larger = ArrayPool<T>.Shared.Rent(size);
        array.AsSpan(0, Count).CopyTo(larger);
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array, clear);
        return larger;
    }
}
