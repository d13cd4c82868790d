using System.Globalization;
using Perf.Analytics.Compression;
using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>A host snapshot reads back field for field (doubles bit for bit), and damage ends in <see cref="InvalidDataException"/>.</summary>
public sealed class HostSnapshotCodecTests
{
    private static readonly double StaleMarker = BitConverter.UInt64BitsToDouble(0x7FF0000000000002);

    private static byte[] Head(params (long TimestampMs, double Value)[] points)
    {
        var encoder = new GorillaChunkEncoder();
        foreach (var (t, v) in points) encoder.Append(t, v);
        return encoder.ToArray();
    }

    /// <summary>A host with a series of each kind: a busy one with detectors and findings, one with extreme values, one never written.</summary>
    private static List<SeriesSnapshot> Series() =>
    [
        new SeriesSnapshot("cpu.usage", Head((1_796_640_937_000, 41.5), (1_796_640_967_000, 95.25)), 1_796_640_967_000, 95.25,
            new SeriesChunks(3, 3, 930, 360, 1_796_637_337_000, 1_796_640_907_000),
            new DetectionState(1_796_640_967_000, 402,
                [
                    new StoredDetector("iid-spike:window=120", [1, 2, 3, 0xFF], 402, 4, 1_796_640_967_000, [1.0, double.NaN, -0.0]),
                    new StoredDetector("ensemble", [], 0, 0, 0, []),
                ],
                [
                    new StoredFinding(1_796_640_967_000, 95.25, "iid-spike", "spike", 6.5, 1e-9, 120.0),
                    new StoredFinding(1_796_640_937_000, StaleMarker, "ensemble", "changepoint·变化", double.NegativeInfinity, -0.0, double.NaN),
                ])),
        new SeriesSnapshot("disk.usage{mount=\"/\"}", [], long.MinValue, StaleMarker,
            new SeriesChunks(long.MaxValue, int.MaxValue, long.MaxValue, long.MaxValue, long.MinValue, long.MaxValue),
            new DetectionState(long.MaxValue, long.MaxValue, [], [])),
        SeriesSnapshot.Empty("température"),
    ];

    /// <summary>Every field as text, doubles by their bits (record equality compares arrays by reference and NaN loosely).</summary>
    private static List<string> Text(IEnumerable<SeriesSnapshot> series) =>
    [
        .. series.Select(s => string.Join(" ; ",
            s.Metric, Convert.ToHexString(s.Head), s.LatestMs.ToString(CultureInfo.InvariantCulture), RecordText.Bits(s.LatestValue),
            s.Chunks.ToString(),
            $"{s.Detection.LastObservedMs} {s.Detection.PointsObserved}",
            string.Join(" / ", s.Detection.Detectors.Select(d =>
                $"{d.Key} {Convert.ToHexString(d.State)} {d.PointsObserved} {d.Alerts} {d.LastAlertMs} [{string.Join(",", d.LastOutput.Select(RecordText.Bits))}]")),
            string.Join(" / ", s.Detection.Findings.Select(f => RecordText.Finding(-1, f))))),
    ];

    [Fact]
    public void A_snapshot_reads_back_field_for_field_with_its_sequence_number()
    {
        var series = Series();

        var decoded = HostSnapshotCodec.Decode(42, HostSnapshotCodec.Encode(series));

        Assert.Equal(42, decoded.SequenceNr);
        Assert.Equal(Text(series), Text(decoded.Series));
        Assert.Equal([(1_796_640_937_000, 41.5), (1_796_640_967_000, 95.25)],
            GorillaChunk.Decode(decoded.Series[0].Head).Select(p => (p.TimestampMs, p.Value)));
    }

    [Fact]
    public void A_host_without_series_reads_back_empty()
    {
        var decoded = HostSnapshotCodec.Decode(0, HostSnapshotCodec.Encode([]));

        Assert.Empty(decoded.Series);
    }

    [Fact]
    public void A_host_with_many_series_reads_back_in_index_order()
    {
        var series = Enumerable.Range(0, 5_000)
            .Select(i => SeriesSnapshot.Empty($"metric.{i}") with { LatestMs = i, LatestValue = i / 3.0, Head = Head((i, i)) })
            .ToList();

        var decoded = HostSnapshotCodec.Decode(7, HostSnapshotCodec.Encode(series));

        Assert.Equal(Text(series), Text(decoded.Series));
    }

    [Fact]
    public void A_snapshot_truncated_at_any_byte_fails_with_InvalidDataException()
    {
        var payload = HostSnapshotCodec.Encode(Series());

        for (var length = 0; length < payload.Length; length++)
        {
            var error = DecodeFails(payload.AsSpan(0, length));
            Assert.True(error is not null, $"the snapshot cut to {length} of {payload.Length} bytes was read as a whole snapshot");
            Assert.True(error is InvalidDataException, $"the snapshot cut to {length} of {payload.Length} bytes failed with {error}");
        }
    }

    [Fact]
    public void A_snapshot_with_a_byte_changed_anywhere_reads_or_fails_with_InvalidDataException_never_another_exception()
    {
        var payload = HostSnapshotCodec.Encode(Series());
        foreach (var xor in new byte[] { 0x01, 0x80, 0xFF })
        for (var offset = 0; offset < payload.Length; offset++)
        {
            var damaged = (byte[])payload.Clone();
            damaged[offset] ^= xor;
            var error = DecodeFails(damaged);
            Assert.True(error is null or InvalidDataException, $"byte {offset} ^ 0x{xor:X2}: {error}");
        }
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)2)]
    [InlineData((byte)0xFF)]
    public void A_snapshot_of_another_version_is_refused(byte version)
    {
        var payload = HostSnapshotCodec.Encode(Series());
        payload[0] = version;

        var error = Assert.IsType<InvalidDataException>(DecodeFails(payload));

        Assert.Contains($"version {version} is not {HostSnapshotCodec.Version}", error.Message);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("FFFFFFFF")]
    public void Bytes_after_the_last_series_fail_the_read(string hex)
    {
        var payload = HostSnapshotCodec.Encode(Series()).Concat(Convert.FromHexString(hex)).ToArray();

        var error = Assert.IsType<InvalidDataException>(DecodeFails(payload));

        Assert.Contains($"{hex.Length / 2} bytes left over after the last series", error.Message);
    }

    [Fact]
    public void A_series_count_beyond_what_the_bytes_can_hold_fails_before_allocating()
    {
        // Version 1, then a count of 2^31 - 1 series in a payload of a few bytes.
        var payload = Convert.FromHexString("01" + "FFFFFFFF07" + "00000000");

        var error = Assert.IsType<InvalidDataException>(DecodeFails(payload));

        Assert.Contains("exceeds", error.Message);
    }

    private static Exception? DecodeFails(ReadOnlySpan<byte> payload)
    {
        try
        {
            HostSnapshotCodec.Decode(1, payload);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
