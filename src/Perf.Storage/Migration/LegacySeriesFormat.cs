using Perf.Analytics.Compression;
using Perf.Storage.Hosts;

namespace Perf.Storage.Migration;

/// <summary>
/// Reads the series rows of layout 1 (a journal and a snapshot per series, written by Perf up to ece6b33 with its
/// serializer, id 4717): the frozen manifests of the series events and snapshots, and of a host's series list in
/// Akka.Persistence.Sql's tables. Read-only: nothing writes this layout any more.
/// </summary>
internal static class LegacySeriesFormat
{
    public const int SerializerId = 4717;

    /// <summary>A series snapshot: "SS2" (storage and detectors) or "SS" (storage only, before series ran detectors).</summary>
    public static SeriesSnapshot ReadSnapshot(string metric, string manifest, byte[] payload)
    {
        using var reader = Reader(payload);
        switch (manifest)
        {
            case "SS":
                return ReadStorage(metric, reader, DetectionState.None);
            case "SS2":
            {
                using var storage = Reader(ReadBytes(reader));
                var lastObservedMs = reader.ReadInt64();
                var pointsObserved = reader.ReadInt64();
                var detectors = ReadArray(reader, static r => new StoredDetector(r.ReadString(), ReadBytes(r), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), ReadDoubles(r)));
                var findings = ReadArray(reader, ReadFinding);
                return ReadStorage(metric, storage, new DetectionState(lastObservedMs, pointsObserved, detectors, findings));
            }
            default:
                throw new InvalidDataException($"'{manifest}' is not a series snapshot of layout 1");
        }
    }

    /// <summary>The series list a host persisted: "HE1" events (new series) and its "HS" snapshot (with latest values).</summary>
    public static string[] ReadSeriesAdded(byte[] payload)
    {
        using var reader = Reader(payload);
        return ReadStrings(reader);
    }

    public static (string[] Metrics, long[] LatestMs, double[] LatestValues) ReadHostSnapshot(byte[] payload)
    {
        using var reader = Reader(payload);
        var metrics = ReadStrings(reader);
        var timestamps = new long[reader.Read7BitEncodedInt()];
        for (var i = 0; i < timestamps.Length; i++) timestamps[i] = reader.Read7BitEncodedInt64();
        return (metrics, timestamps, ReadDoubles(reader));
    }

    /// <summary>
    /// Writes one series event as the entry of a host record that has the same effect: "SE1" points, "SE2" a seal,
    /// "SE3"/"SE5" retention (the older "SE3" held what was dropped; its totals come from <paramref name="chunks"/>, the
    /// series' totals so far, which this updates), "SE4" findings.
    /// </summary>
    public static void WriteEvent(string manifest, byte[] payload, int series, HostRecordWriter record, ref SeriesChunks chunks)
    {
        using var reader = Reader(payload);
        switch (manifest)
        {
            case "SE1":
                foreach (var point in GorillaChunk.Decode(ReadBytes(reader))) record.Point(series, point.TimestampMs, point.Value);
                break;
            case "SE2":
                var seal = new ChunkSeal(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
                record.ChunkSealed(series, seal);
                chunks = chunks with
                {
                    NextSequence = Math.Max(chunks.NextSequence, seal.Sequence + 1), Count = chunks.Count + 1, Bytes = chunks.Bytes + seal.ByteCount,
                    Points = chunks.Points + seal.PointCount, OldestFirstMs = chunks.Count == 0 ? seal.FirstMs : chunks.OldestFirstMs,
                    LastSealedMs = Math.Max(chunks.LastSealedMs, seal.LastMs),
                };
                break;
            case "SE3":
            {
                var (cutoff, count, bytes, points, oldest) = (reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
                var left = Math.Max(0, chunks.Count - count);
                Retain(new ChunkRetention(cutoff, left, Math.Max(0, chunks.Bytes - bytes), Math.Max(0, chunks.Points - points), left == 0 ? 0 : oldest), record, series, ref chunks);
                break;
            }
            case "SE4":
                foreach (var finding in ReadArray(reader, ReadFinding)) record.Finding(series, finding);
                break;
            case "SE5":
                Retain(new ChunkRetention(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64()), record, series, ref chunks);
                break;
            default:
                throw new InvalidDataException($"'{manifest}' is not a series event of layout 1");
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length) throw new InvalidDataException($"a '{manifest}' event has bytes left over");
    }

    private static void Retain(ChunkRetention retention, HostRecordWriter record, int series, ref SeriesChunks chunks)
    {
        record.ChunksRetained(series, retention);
        chunks = chunks with { Count = retention.ChunkCount, Bytes = retention.ByteCount, Points = retention.PointCount, OldestFirstMs = retention.OldestFirstMs };
    }

    private static SeriesSnapshot ReadStorage(string metric, BinaryReader reader, DetectionState detection)
    {
        var head = ReadBytes(reader);
        var chunks = new SeriesChunks(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
        var points = head.Length == 0 ? [] : GorillaChunk.Decode(head);
        return points.Length == 0
            ? new SeriesSnapshot(metric, head, 0, double.NaN, chunks, detection)
            : new SeriesSnapshot(metric, head, points[^1].TimestampMs, points[^1].Value, chunks, detection);
    }

    private static StoredFinding ReadFinding(BinaryReader r) =>
        new(r.ReadInt64(), r.ReadDouble(), r.ReadString(), r.ReadString(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());

    private static BinaryReader Reader(byte[] payload) => new(new MemoryStream(payload, writable: false));

    private static byte[] ReadBytes(BinaryReader reader) => reader.ReadBytes(reader.Read7BitEncodedInt());

    private static string[] ReadStrings(BinaryReader reader)
    {
        var values = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadString();
        return values;
    }

    private static double[] ReadDoubles(BinaryReader reader)
    {
        var values = new double[reader.Read7BitEncodedInt()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadDouble();
        return values;
    }

    private static T[] ReadArray<T>(BinaryReader reader, Func<BinaryReader, T> read)
    {
        var items = new T[reader.Read7BitEncodedInt()];
        for (var i = 0; i < items.Length; i++) items[i] = read(reader);
        return items;
    }
}
