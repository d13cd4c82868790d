using System.Text;
using Perf.Analytics.Compression;
using Perf.Storage.Hosts;
using Perf.Storage.Migration;
using Perf.Storage.Tests.Hosts;

namespace Perf.Storage.Tests.Migration;

/// <summary>
/// Layout 1's series events and snapshots as the migration reads them, including the kinds the previous release's
/// file does not hold (retention in both of its forms, storage-only snapshots): each event becomes the host record
/// entry with the same effect, and the series' chunk totals follow.
/// </summary>
public sealed class LegacySeriesFormatTests
{
    /// <summary>Bytes as layout 1 wrote them (Perf's serializer used BinaryWriter).</summary>
    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write7BitEncodedInt(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] Gorilla(params (long TimestampMs, double Value)[] points)
    {
        var encoder = new GorillaChunkEncoder();
        foreach (var (t, v) in points) encoder.Append(t, v);
        return encoder.ToArray();
    }

    private static byte[] Seal(long sequence, long firstMs, long lastMs, int points, int bytes) => Bytes(w =>
    {
        w.Write(sequence);
        w.Write(firstMs);
        w.Write(lastMs);
        w.Write(points);
        w.Write(bytes);
    });

    private static byte[] Retention(long cutoffMs, int chunks, long bytes, long points, long oldestFirstMs) => Bytes(w =>
    {
        w.Write(cutoffMs);
        w.Write(chunks);
        w.Write(bytes);
        w.Write(points);
        w.Write(oldestFirstMs);
    });

    /// <summary>Writes the events one record each, as the migration does; the entries and the totals after each.</summary>
    private static (List<string> Entries, List<SeriesChunks> Totals) Translate(SeriesChunks start, params (string Manifest, byte[] Payload)[] events)
    {
        using var record = new HostRecordWriter();
        var chunks = start;
        var (entries, totals) = (new List<string>(), new List<SeriesChunks>());
        foreach (var (manifest, payload) in events)
        {
            record.Reset();
            LegacySeriesFormat.WriteEvent(manifest, payload, 3, record, ref chunks);
            entries.Add(string.Join(" ; ", RecordText.Read(record.ToArray())));
            totals.Add(chunks);
        }
        return (entries, totals);
    }

    [Fact]
    public void Seals_and_both_forms_of_retention_become_entries_and_keep_the_series_totals()
    {
        var (entries, totals) = Translate(SeriesChunks.None,
            ("SE2", Seal(0, 1_000, 2_000, 10, 100)),
            ("SE2", Seal(1, 3_000, 4_000, 20, 200)),
            ("SE3", Retention(2_500, 1, 100, 10, 3_000)), // the older form: what was dropped
            ("SE2", Seal(2, 5_000, 6_000, 30, 300)),
            ("SE5", Retention(5_500, 1, 300, 30, 5_000)), // the newer form: what is left
            ("SE3", Retention(9_000, 5, 9_999, 999, 7_000))); // drops more than is left: nothing is left, not less

        Assert.Equal(
            [
                RecordText.ChunkSealed(3, new ChunkSeal(0, 1_000, 2_000, 10, 100)),
                RecordText.ChunkSealed(3, new ChunkSeal(1, 3_000, 4_000, 20, 200)),
                RecordText.ChunksRetained(3, new ChunkRetention(2_500, 1, 200, 20, 3_000)),
                RecordText.ChunkSealed(3, new ChunkSeal(2, 5_000, 6_000, 30, 300)),
                RecordText.ChunksRetained(3, new ChunkRetention(5_500, 1, 300, 30, 5_000)),
                RecordText.ChunksRetained(3, new ChunkRetention(9_000, 0, 0, 0, 0)),
            ],
            entries);
        Assert.Equal(
            [
                new SeriesChunks(1, 1, 100, 10, 1_000, 2_000),
                new SeriesChunks(2, 2, 300, 30, 1_000, 4_000),
                new SeriesChunks(2, 1, 200, 20, 3_000, 4_000),
                new SeriesChunks(3, 2, 500, 50, 3_000, 6_000),
                new SeriesChunks(3, 1, 300, 30, 5_000, 6_000),
                new SeriesChunks(3, 0, 0, 0, 0, 6_000), // the next seal still takes sequence 3
            ],
            totals);
    }

    [Fact]
    public void Points_and_findings_become_entries_of_the_series_index()
    {
        var points = Bytes(w => WriteBytes(w, Gorilla((1_000, 1.5), (2_000, double.NaN))));
        var findings = Bytes(w =>
        {
            w.Write7BitEncodedInt(2);
            foreach (var (t, detector) in new[] { (1_000L, "iid-spike"), (2_000L, "ensemble") })
            {
                w.Write(t);
                w.Write(99.5);
                w.Write(detector);
                w.Write("spike");
                w.Write(4.5);
                w.Write(0.001);
                w.Write(12.0);
            }
        });

        var (entries, totals) = Translate(SeriesChunks.None, ("SE1", points), ("SE4", findings));

        Assert.Equal(
            [
                RecordText.Points([(3, 1_000, 1.5), (3, 2_000, double.NaN)]),
                RecordText.Finding(3, new StoredFinding(1_000, 99.5, "iid-spike", "spike", 4.5, 0.001, 12.0)) + " ; "
                    + RecordText.Finding(3, new StoredFinding(2_000, 99.5, "ensemble", "spike", 4.5, 0.001, 12.0)),
            ],
            entries);
        Assert.All(totals, t => Assert.Equal(SeriesChunks.None, t));
    }

    [Theory]
    [InlineData("SE9", "'SE9' is not a series event of layout 1")]
    [InlineData("SE2", "a 'SE2' event has bytes left over")]
    public void An_event_of_an_unknown_kind_or_with_bytes_left_over_is_refused(string manifest, string message)
    {
        var payload = Seal(0, 1, 2, 3, 4).Append((byte)0).ToArray();
        var chunks = SeriesChunks.None;
        using var record = new HostRecordWriter();

        var error = Assert.Throws<InvalidDataException>(() => LegacySeriesFormat.WriteEvent(manifest, payload, 0, record, ref chunks));

        Assert.Equal(message, error.Message);
    }

    private static byte[] Storage(byte[] head, SeriesChunks c) => Bytes(w =>
    {
        WriteBytes(w, head);
        w.Write(c.NextSequence);
        w.Write(c.Count);
        w.Write(c.Bytes);
        w.Write(c.Points);
        w.Write(c.OldestFirstMs);
        w.Write(c.LastSealedMs);
    });

    [Fact]
    public void A_storage_only_snapshot_takes_its_latest_point_from_its_head()
    {
        var chunks = new SeriesChunks(3, 3, 900, 360, 1_000, 9_000);

        var withHead = LegacySeriesFormat.ReadSnapshot("cpu.usage", "SS", Storage(Gorilla((10_000, 1), (11_000, 42.5)), chunks));
        var empty = LegacySeriesFormat.ReadSnapshot("cpu.usage", "SS", Storage([], chunks));

        Assert.Equal((11_000L, 42.5, chunks), (withHead.LatestMs, withHead.LatestValue, withHead.Chunks));
        Assert.Same(DetectionState.None, withHead.Detection);
        Assert.Equal((0L, true, chunks), (empty.LatestMs, double.IsNaN(empty.LatestValue), empty.Chunks));
        Assert.Empty(empty.Head);
    }

    [Fact]
    public void A_snapshot_with_detectors_keeps_their_state_and_findings()
    {
        var payload = Bytes(w =>
        {
            WriteBytes(w, Storage(Gorilla((10_000, 1)), new SeriesChunks(1, 1, 100, 10, 1_000, 2_000)));
            w.Write(10_000L);
            w.Write(401L);
            w.Write7BitEncodedInt(1);
            w.Write("iid-spike(confidence=99.9)");
            WriteBytes(w, [1, 2, 3]);
            w.Write(401L);
            w.Write(2L);
            w.Write(9_000L);
            w.Write7BitEncodedInt(2);
            w.Write(0.5);
            w.Write(double.NaN);
            w.Write7BitEncodedInt(1);
            w.Write(9_000L);
            w.Write(99.0);
            w.Write("iid-spike");
            w.Write("spike");
            w.Write(6.0);
            w.Write(1e-6);
            w.Write(30.0);
        });

        var snapshot = LegacySeriesFormat.ReadSnapshot("cpu.usage", "SS2", payload);

        Assert.Equal((10_000L, 1.0), (snapshot.LatestMs, snapshot.LatestValue));
        Assert.Equal((10_000L, 401L), (snapshot.Detection.LastObservedMs, snapshot.Detection.PointsObserved));
        var detector = Assert.Single(snapshot.Detection.Detectors);
        Assert.Equal(("iid-spike(confidence=99.9)", 401L, 2L, 9_000L), (detector.Key, detector.PointsObserved, detector.Alerts, detector.LastAlertMs));
        Assert.Equal([1, 2, 3], detector.State);
        Assert.Equal([RecordText.Bits(0.5), RecordText.Bits(double.NaN)], detector.LastOutput.Select(RecordText.Bits));
        Assert.Equal(new StoredFinding(9_000, 99.0, "iid-spike", "spike", 6.0, 1e-6, 30.0), Assert.Single(snapshot.Detection.Findings));
    }

    [Fact]
    public void A_snapshot_of_an_unknown_kind_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => LegacySeriesFormat.ReadSnapshot("cpu.usage", "SS3", []));

        Assert.Equal("'SS3' is not a series snapshot of layout 1", error.Message);
    }

    [Fact]
    public void A_hosts_snapshot_lists_its_series_with_their_latest_values()
    {
        var payload = Bytes(w =>
        {
            w.Write7BitEncodedInt(2);
            w.Write("cpu.usage");
            w.Write("memory.used");
            w.Write7BitEncodedInt(2);
            w.Write7BitEncodedInt64(1_796_640_937_000);
            w.Write7BitEncodedInt64(0);
            w.Write7BitEncodedInt(2);
            w.Write(41.5);
            w.Write(double.NaN);
        });

        var (metrics, latestMs, latestValues) = LegacySeriesFormat.ReadHostSnapshot(payload);

        Assert.Equal(["cpu.usage", "memory.used"], metrics);
        Assert.Equal([1_796_640_937_000L, 0], latestMs);
        Assert.Equal(41.5, latestValues[0]);
        Assert.True(double.IsNaN(latestValues[1]));
    }
}
