using Perf.Analytics.Compression;
using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>A series as storage alone recovers it: its snapshot's head and totals, then the entries of the records after it.</summary>
public sealed class ReplayedSeries(string metric)
{
    public string Metric { get; } = metric;

    /// <summary>The points not sealed yet, in the order they were applied.</summary>
    public List<DataPoint> Head { get; init; } = [];

    public SeriesChunks Chunks { get; set; } = SeriesChunks.None;

    public List<StoredFinding> Findings { get; init; } = [];

    /// <summary>The detectors' state as the snapshot stored it (none for a series added by a record).</summary>
    public DetectionState Detection { get; init; } = DetectionState.None;

    /// <summary>Points the records after the snapshot added (what the detectors see again on recovery).</summary>
    public long RecordPoints { get; set; }
}

/// <summary>
/// The storage-level replay of a host: independent of the engine's HostState, so that what the stored bytes mean is
/// checked against what a test expects, not against the code that wrote them.
/// </summary>
public static class HostReplay
{
    public static List<ReplayedSeries> Replay(HostSnapshot? snapshot, IEnumerable<HostLogRecord> records)
    {
        var series = (snapshot?.Series ?? []).Select(s => new ReplayedSeries(s.Metric)
        {
            Head = s.Head.Length == 0 ? [] : [.. GorillaChunk.Decode(s.Head)],
            Chunks = s.Chunks,
            Findings = [.. s.Detection.Findings],
            Detection = s.Detection,
        }).ToList();
        foreach (var record in records) Apply(series, record.Payload);
        return series;
    }

    private static void Apply(List<ReplayedSeries> series, byte[] record)
    {
        var reader = new HostRecordReader(record);
        while (reader.MoveNext())
        {
            switch (reader.Kind)
            {
                case RecordEntryKind.SeriesAdded:
                    series.AddRange(reader.SeriesAdded().Select(metric => new ReplayedSeries(metric)));
                    break;
                case RecordEntryKind.Points:
                    var points = reader.Points;
                    while (points.MoveNext())
                    {
                        series[points.Series].Head.Add(new DataPoint(points.TimestampMs, points.Value));
                        series[points.Series].RecordPoints++;
                    }
                    break;
                case RecordEntryKind.Finding:
                    var (index, finding) = reader.Finding();
                    series[index].Findings.Add(finding);
                    break;
                case RecordEntryKind.ChunkSealed:
                    var (sealedIndex, seal) = reader.ChunkSealed();
                    var s = series[sealedIndex];
                    // The chunk took the head's points up to its last timestamp.
                    s.Head.RemoveAll(p => p.TimestampMs <= seal.LastMs);
                    var c = s.Chunks;
                    s.Chunks = c with
                    {
                        NextSequence = Math.Max(c.NextSequence, seal.Sequence + 1), Count = c.Count + 1, Bytes = c.Bytes + seal.ByteCount,
                        Points = c.Points + seal.PointCount, OldestFirstMs = c.Count == 0 ? seal.FirstMs : c.OldestFirstMs,
                        LastSealedMs = Math.Max(c.LastSealedMs, seal.LastMs),
                    };
                    break;
                case RecordEntryKind.ChunksRetained:
                    var (retainedIndex, retention) = reader.ChunksRetained();
                    series[retainedIndex].Chunks = series[retainedIndex].Chunks with
                    {
                        Count = retention.ChunkCount, Bytes = retention.ByteCount, Points = retention.PointCount, OldestFirstMs = retention.OldestFirstMs,
                    };
                    break;
                default:
                    throw new InvalidOperationException($"The reader returned kind {reader.Kind}, which it should have refused");
            }
        }
    }
}
