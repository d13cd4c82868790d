using Perf.Storage.Codecs;

namespace Perf.Storage.Hosts;

/// <summary>
/// The byte layout of a <see cref="HostSnapshot"/> (the row's <c>payload</c>; its sequence number is a column of its own).
/// </summary>
/// <remarks>
/// <code>
/// snapshot  := version:byte(1) count series*
/// series    := metric head:bytes latestMs:zigzag latestValue:double
///              nextSequence chunkCount chunkBytes chunkPoints oldestFirstMs:zigzag lastSealedMs:zigzag
///              lastObservedMs:zigzag pointsObserved detectorCount detector* findingCount finding*
/// detector  := key state:bytes pointsObserved alerts lastAlertMs:zigzag lastOutput:(count double*)
/// finding   := timestamp:zigzag value detector kind score pValue martingale
/// </code>
/// </remarks>
public static class HostSnapshotCodec
{
    public const byte Version = 1;
    private const string What = "host snapshot";

    public static byte[] Encode(IReadOnlyList<SeriesSnapshot> series)
    {
        using var bytes = new ByteWriter(4096);
        bytes.Byte(Version);
        bytes.Varint((ulong)series.Count);
        foreach (var s in series)
        {
            bytes.String(s.Metric);
            bytes.Bytes(s.Head);
            bytes.ZigZag(s.LatestMs);
            bytes.Double(s.LatestValue);
            var c = s.Chunks;
            bytes.Varint(c.NextSequence);
            bytes.Varint((ulong)c.Count);
            bytes.Varint(c.Bytes);
            bytes.Varint(c.Points);
            bytes.ZigZag(c.OldestFirstMs);
            bytes.ZigZag(c.LastSealedMs);
            var d = s.Detection;
            bytes.ZigZag(d.LastObservedMs);
            bytes.Varint(d.PointsObserved);
            bytes.Varint((ulong)d.Detectors.Count);
            foreach (var detector in d.Detectors)
            {
                bytes.String(detector.Key);
                bytes.Bytes(detector.State);
                bytes.Varint(detector.PointsObserved);
                bytes.Varint(detector.Alerts);
                bytes.ZigZag(detector.LastAlertMs);
                bytes.Doubles(detector.LastOutput);
            }
            bytes.Varint((ulong)d.Findings.Count);
            foreach (var f in d.Findings) WriteFinding(bytes, f);
        }
        return bytes.ToArray();
    }

    public static HostSnapshot Decode(long sequenceNr, ReadOnlySpan<byte> payload)
    {
        var r = new ByteReader(payload, What);
        var version = r.Byte();
        if (version != Version) throw r.Corrupt($"version {version} is not {Version}");
        // Every series takes at least a dozen bytes: a count beyond that is damage, not a reason to allocate.
        var series = new SeriesSnapshot[r.Count(r.Remaining / 12)];
        for (var i = 0; i < series.Length; i++)
        {
            var metric = r.String();
            var head = r.Bytes();
            var latestMs = r.ZigZag();
            var latestValue = r.Double();
            var chunks = new SeriesChunks(r.Int64(), r.Count(), r.Int64(), r.Int64(), r.ZigZag(), r.ZigZag());
            var lastObservedMs = r.ZigZag();
            var pointsObserved = r.Int64();
            var detectors = new StoredDetector[r.Count(r.Remaining / 5)];
            for (var d = 0; d < detectors.Length; d++)
                detectors[d] = new StoredDetector(r.String(), r.Bytes(), r.Int64(), r.Int64(), r.ZigZag(), r.Doubles());
            var findings = new StoredFinding[r.Count(r.Remaining / 30)];
            for (var f = 0; f < findings.Length; f++) findings[f] = ReadFinding(ref r);
            series[i] = new SeriesSnapshot(metric, head, latestMs, latestValue, chunks, new DetectionState(lastObservedMs, pointsObserved, detectors, findings));
        }
        if (!r.AtEnd) throw r.Corrupt($"{r.Remaining} bytes left over after the last series");
        return new HostSnapshot(sequenceNr, series);
    }

    private static void WriteFinding(ByteWriter bytes, StoredFinding f)
    {
        bytes.ZigZag(f.TimestampMs);
        bytes.Double(f.Value);
        bytes.String(f.Detector);
        bytes.String(f.Kind);
        bytes.Double(f.Score);
        bytes.Double(f.PValue);
        bytes.Double(f.Martingale);
    }

    private static StoredFinding ReadFinding(ref ByteReader r) =>
        new(r.ZigZag(), r.Double(), r.String(), r.String(), r.Double(), r.Double(), r.Double());
}
