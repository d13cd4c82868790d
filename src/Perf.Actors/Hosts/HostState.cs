using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Storage.Hosts;

namespace Perf.Actors.Hosts;

/// <summary>
/// Everything a host owns, without Akka or I/O: its series in the order they were registered (a series' index is its
/// place in that order, for good: the write path and the host's records address series by index). Live writes decide
/// and apply point by point (<see cref="HostSeries.Accept"/>) and write what they applied to the host's record;
/// <see cref="Replay"/> applies such a record again, the same way, so a host recovered from its snapshot and the records
/// after it is the host that wrote them.
/// </summary>
public sealed class HostState(string host, DetectionSettings detection, SealPolicy policy)
{
    private readonly List<HostSeries> _series = [];
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);

    public string Host => host;

    public int Count => _series.Count;

    public bool IsEmpty => _series.Count == 0;

    public IReadOnlyList<HostSeries> Series => _series;

    public HostSeries this[int index] => _series[index];

    public bool TryGetIndex(string metric, out int index) => _indexes.TryGetValue(metric, out index);

    /// <summary>
    /// Which of <paramref name="metrics"/> would be new, and whether the host may take them: refused as a whole when they
    /// would take it past <paramref name="maxSeries"/> (the cardinality guard). Changes nothing.
    /// </summary>
    public (bool Accepted, string[] Fresh) DecideRegistration(IReadOnlyList<string> metrics, int maxSeries)
    {
        var fresh = metrics.Where(m => !_indexes.ContainsKey(m)).Distinct(StringComparer.Ordinal).ToArray();
        return (_series.Count + fresh.Length <= maxSeries || fresh.Length == 0, fresh);
    }

    /// <summary>New series, at the end of the list (live, once decided; replay, as read).</summary>
    public void AddSeries(IReadOnlyList<string> metrics)
    {
        foreach (var metric in metrics)
        {
            if (_indexes.ContainsKey(metric)) continue;
            _indexes[metric] = _series.Count;
            _series.Add(new HostSeries(host, metric, new SeriesDetection(detection.For(metric), detection.MaxAnomaliesPerSeries), policy));
        }
    }

    /// <summary>Applies a stored record of this host, entry by entry, as the live host applied it when it wrote it.</summary>
    public void Replay(ReadOnlySpan<byte> record)
    {
        var reader = new HostRecordReader(record);
        while (reader.MoveNext())
        {
            switch (reader.Kind)
            {
                case RecordEntryKind.SeriesAdded:
                    AddSeries(reader.SeriesAdded());
                    break;
                case RecordEntryKind.Points:
                    var points = reader.Points;
                    List<Anomaly>? ignored = null; // the findings kept come from their own entries
                    while (points.MoveNext())
                    {
                        var series = At(points.Series);
                        series.Apply(points.TimestampMs, points.Value);
                        series.Observe(points.TimestampMs, points.Value, ref ignored);
                    }
                    break;
                case RecordEntryKind.Finding:
                    var (findingSeries, finding) = reader.Finding();
                    At(findingSeries).Detection.Keep(Anomaly.From(finding));
                    break;
                case RecordEntryKind.ChunkSealed:
                    var (sealedSeries, seal) = reader.ChunkSealed();
                    At(sealedSeries).ApplySeal(seal);
                    break;
                case RecordEntryKind.ChunksRetained:
                    var (retainedSeries, retention) = reader.ChunksRetained();
                    At(retainedSeries).ApplyRetention(retention);
                    break;
                default:
                    throw new InvalidDataException($"A record of host {host} holds a {reader.Kind} entry this version cannot apply");
            }
        }
    }

    public IReadOnlyList<SeriesSnapshot> ToSnapshot() => _series.ConvertAll(s => s.ToSnapshot());

    /// <summary>The host as its snapshot left it; each series continues its detectors from their stored state.</summary>
    public static HostState FromSnapshot(string host, HostSnapshot snapshot, DetectionSettings detection, SealPolicy policy)
    {
        var state = new HostState(host, detection, policy);
        foreach (var series in snapshot.Series)
        {
            state._indexes[series.Metric] = state._series.Count;
            state._series.Add(HostSeries.FromSnapshot(host, series, detection.For(series.Metric), detection.MaxAnomaliesPerSeries, policy));
        }
        return state;
    }

    private HostSeries At(int index) => index < _series.Count
        ? _series[index]
        : throw new InvalidDataException($"A record of host {host} names series {index}; the host has {_series.Count}");
}
