using static Perf.Actors.Hosts.HostEvents;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Actors.Hosts;

/// <summary>A host's series (persisted) and the latest value of each (kept in snapshots only).</summary>
public sealed class HostState
{
    private readonly SortedDictionary<string, (long TimestampMs, double Value)> _series = new(StringComparer.Ordinal);

    public int SeriesCount => _series.Count;
    public bool IsEmpty => _series.Count == 0;

    /// <summary>The event registering the new ones among <paramref name="metrics"/>, null when all are known; refused past the limit.</summary>
    public (bool Accepted, SeriesAdded? Event) Decide(string[] metrics, int maxSeries)
    {
        var fresh = metrics.Where(m => !_series.ContainsKey(m)).Distinct(StringComparer.Ordinal).ToArray();
        if (fresh.Length == 0) return (true, null);
        if (_series.Count + fresh.Length > maxSeries) return (false, null);
        return (true, new SeriesAdded(fresh));
    }

    public void Apply(SeriesAdded added)
    {
        foreach (var metric in added.Metrics) _series.TryAdd(metric, (0, double.NaN));
    }

    /// <returns>whether anything changed.</returns>
    public bool RecordLatest(string[] metrics, long[] timestamps, double[] values)
    {
        var changed = false;
        for (var i = 0; i < metrics.Length; i++)
        {
            if (_series.TryGetValue(metrics[i], out var current) && timestamps[i] >= current.TimestampMs)
            {
                _series[metrics[i]] = (timestamps[i], values[i]);
                changed = true;
            }
        }
        return changed;
    }

    public HostView View(string host) =>
        new(host, _series.Select(s => new SeriesLatest(s.Key, s.Value.TimestampMs, s.Value.Value)).ToArray());

    public HostSnapshot ToSnapshot() => new(
        _series.Keys.ToArray(),
        _series.Values.Select(v => v.TimestampMs).ToArray(),
        _series.Values.Select(v => v.Value).ToArray());

    public static HostState FromSnapshot(HostSnapshot snapshot)
    {
        var state = new HostState();
        for (var i = 0; i < snapshot.Metrics.Length; i++)
            state._series[snapshot.Metrics[i]] = (snapshot.LatestTimestamps[i], snapshot.LatestValues[i]);
        return state;
    }
}
