using System.Globalization;
using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>
/// A host record's entries as text, doubles by their bits: two records read the same exactly when their texts are
/// equal (record equality would take every NaN for every other, and -0 for +0).
/// </summary>
public static class RecordText
{
    public static List<string> Read(ReadOnlySpan<byte> record)
    {
        var entries = new List<string>();
        var reader = new HostRecordReader(record);
        while (reader.MoveNext())
        {
            switch (reader.Kind)
            {
                case RecordEntryKind.SeriesAdded:
                    entries.Add(SeriesAdded(reader.SeriesAdded()));
                    break;
                case RecordEntryKind.Points:
                    var points = reader.Points;
                    var read = new List<(int, long, double)>();
                    while (points.MoveNext()) read.Add((points.Series, points.TimestampMs, points.Value));
                    entries.Add(Points(read));
                    break;
                case RecordEntryKind.Finding:
                    var (series, finding) = reader.Finding();
                    entries.Add(Finding(series, finding));
                    break;
                case RecordEntryKind.ChunkSealed:
                    var (sealedSeries, seal) = reader.ChunkSealed();
                    entries.Add(ChunkSealed(sealedSeries, seal));
                    break;
                case RecordEntryKind.ChunksRetained:
                    var (retainedSeries, retention) = reader.ChunksRetained();
                    entries.Add(ChunksRetained(retainedSeries, retention));
                    break;
                default:
                    throw new InvalidOperationException($"The reader returned kind {reader.Kind}, which it should have refused");
            }
        }
        return entries;
    }

    public static string SeriesAdded(IEnumerable<string> names) => "added [" + string.Join("|", names) + "]";

    public static string Points(IEnumerable<(int Series, long TimestampMs, double Value)> points) =>
        "points " + string.Join(" ", points.Select(p => $"{p.Series}@{p.TimestampMs.ToString(CultureInfo.InvariantCulture)}={Bits(p.Value)}"));

    public static string Finding(int series, StoredFinding f) =>
        $"finding {series} {f.TimestampMs} {Bits(f.Value)} {f.Detector} {f.Kind} {Bits(f.Score)} {Bits(f.PValue)} {Bits(f.Martingale)}";

    public static string ChunkSealed(int series, ChunkSeal s) => $"sealed {series} #{s.Sequence} {s.FirstMs}..{s.LastMs} {s.PointCount}p {s.ByteCount}B";

    public static string ChunksRetained(int series, ChunkRetention r) =>
        $"retained {series} <{r.CutoffMs} {r.ChunkCount}c {r.ByteCount}B {r.PointCount}p {r.OldestFirstMs}";

    public static string Bits(double value) => BitConverter.DoubleToUInt64Bits(value).ToString("X16", CultureInfo.InvariantCulture);
}
