using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>Every kind of entry written by <see cref="HostRecordWriter"/> reads back exactly through <see cref="HostRecordReader"/>.</summary>
public sealed class HostRecordWriterTests
{
    // Prometheus' stale marker: a NaN whose payload means "the series went away", distinct from an ordinary NaN.
    private static readonly double StaleMarker = BitConverter.UInt64BitsToDouble(0x7FF0000000000002);
    private static readonly double NegativeNaN = BitConverter.UInt64BitsToDouble(0xFFF8000000000001);

    [Fact]
    public void A_new_record_is_empty_and_reads_as_no_entries()
    {
        using var writer = new HostRecordWriter();

        Assert.True(writer.IsEmpty);
        Assert.Equal(0, writer.PointCount);
        Assert.Empty(RecordText.Read(writer.ToArray()));
    }

    public static TheoryData<string, long[]> Timestamps => new()
    {
        { "ascending scrape interval", [1_796_640_937_000, 1_796_640_967_000, 1_796_640_997_000] },
        { "the same timestamp for several series", [1_796_640_937_000, 1_796_640_937_000, 1_796_640_937_000] },
        { "going back in time", [1_796_640_937_000, 1_796_640_936_999, 0, -1] },
        { "negative timestamps", [-86_400_000, -1, -86_400_001] },
        { "the extremes of a long", [long.MaxValue, long.MinValue, 0, long.MinValue, long.MaxValue] }, // deltas wrap around
        { "huge jumps both ways", [0, 1L << 62, -(1L << 62), 1] },
    };

    [Theory]
    [MemberData(nameof(Timestamps))]
    public void Points_read_back_with_every_timestamp_delta(string because, long[] timestamps)
    {
        _ = because;
        using var writer = new HostRecordWriter();
        var written = timestamps.Select((t, i) => (Series: i % 3, TimestampMs: t, Value: i * 1.5)).ToList();
        foreach (var (series, t, value) in written) writer.Point(series, t, value);

        Assert.Equal([RecordText.Points(written)], RecordText.Read(writer.ToArray()));
        Assert.Equal(timestamps.Length, writer.PointCount);
        Assert.False(writer.IsEmpty);
    }

    [Theory]
    [InlineData(0x7FF8000000000000UL)] // NaN
    [InlineData(0x7FF0000000000002UL)] // the stale marker
    [InlineData(0xFFF8000000000001UL)] // a negative NaN with a payload
    [InlineData(0x8000000000000000UL)] // -0
    [InlineData(0xFFF0000000000000UL)] // -infinity
    [InlineData(0x0000000000000001UL)] // the smallest subnormal
    [InlineData(0x7FEFFFFFFFFFFFFFUL)] // double.MaxValue
    public void Values_read_back_bit_for_bit(ulong bits)
    {
        using var writer = new HostRecordWriter();
        writer.Point(0, 1_000, BitConverter.UInt64BitsToDouble(bits));

        var reader = new HostRecordReader(writer.ToArray());
        Assert.True(reader.MoveNext());
        var points = reader.Points;
        Assert.True(points.MoveNext());
        Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(points.Value));
        Assert.False(points.MoveNext());
        Assert.False(reader.MoveNext());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(128)] // a series index of two bytes
    [InlineData(int.MaxValue)]
    public void Series_indexes_read_back_in_every_entry_kind(int series)
    {
        using var writer = new HostRecordWriter();
        var finding = new StoredFinding(1_000, 99.5, "iid-spike", "spike", 4.2, 0.001, 17.0);
        var seal = new ChunkSeal(3, 1_000, 2_000, 120, 300);
        var retention = new ChunkRetention(5_000, 2, 600, 240, 3_000);
        writer.Point(series, 1_000, 1.0);
        writer.Finding(series, finding);
        writer.ChunkSealed(series, seal);
        writer.ChunksRetained(series, retention);

        Assert.Equal(
            [
                RecordText.Points([(series, 1_000, 1.0)]), RecordText.Finding(series, finding),
                RecordText.ChunkSealed(series, seal), RecordText.ChunksRetained(series, retention),
            ],
            RecordText.Read(writer.ToArray()));
    }

    [Fact]
    public void Every_kind_of_entry_reads_back_in_the_order_written_and_points_after_another_entry_start_a_new_run()
    {
        using var writer = new HostRecordWriter();
        var finding = new StoredFinding(-5, NegativeNaN, "ensemble", "changepoint·变化", double.PositiveInfinity, -0.0, StaleMarker);
        var seal = new ChunkSeal(long.MaxValue, long.MinValue, long.MaxValue, int.MaxValue, int.MaxValue);
        var retention = new ChunkRetention(long.MinValue, int.MaxValue, long.MaxValue, long.MaxValue, -1);

        writer.SeriesAdded(["cpu.usage", "disk.usage{mount=\"/\"}", "", "température"]);
        writer.Point(0, 1_000, 1.0);
        writer.Point(3, 1_000, StaleMarker);
        writer.Finding(0, finding);
        writer.Point(1, 2_000, double.NaN); // a new run: its first delta is from 0 again
        writer.ChunkSealed(1, seal);
        writer.ChunksRetained(2, retention);
        writer.SeriesAdded([]);

        Assert.Equal(
            [
                RecordText.SeriesAdded(["cpu.usage", "disk.usage{mount=\"/\"}", "", "température"]),
                RecordText.Points([(0, 1_000, 1.0), (3, 1_000, StaleMarker)]),
                RecordText.Finding(0, finding),
                RecordText.Points([(1, 2_000, double.NaN)]),
                RecordText.ChunkSealed(1, seal),
                RecordText.ChunksRetained(2, retention),
                RecordText.SeriesAdded([]),
            ],
            RecordText.Read(writer.ToArray()));
        Assert.Equal(3, writer.PointCount);
    }

    [Fact]
    public void A_record_of_many_entries_and_points_reads_back_whole()
    {
        using var writer = new HostRecordWriter();
        var expected = new List<string>();
        var random = new Random(4717);
        var run = new List<(int, long, double)>();
        var timestamp = 1_796_640_937_000L;
        for (var i = 0; i < 20_000; i++)
        {
            if (i % 1_000 == 999)
            {
                // Close the run of points with another entry, as a finding in the middle of a write does.
                expected.Add(RecordText.Points(run));
                run.Clear();
                var finding = new StoredFinding(timestamp, i, "iid-spike", "spike", i / 7.0, 1.0 / i, i * 3.0);
                writer.Finding(i % 500, finding);
                expected.Add(RecordText.Finding(i % 500, finding));
                continue;
            }
            var point = (Series: random.Next(500), TimestampMs: timestamp += random.Next(-5_000, 30_000), Value: random.NextDouble() * 1e6);
            writer.Point(point.Series, point.TimestampMs, point.Value);
            run.Add(point);
        }
        Assert.Empty(run); // the last of the 20,000 was a finding: no run is left open

        var record = writer.ToArray();

        Assert.Equal(expected, RecordText.Read(record));
        Assert.Equal(20_000 - 20, writer.PointCount);
    }

    [Fact]
    public void Reset_starts_the_next_record_from_nothing_and_written_is_the_same_bytes_as_the_array()
    {
        using var writer = new HostRecordWriter();
        writer.SeriesAdded(["cpu.usage"]);
        writer.Point(0, 1_000, 1.0);
        var first = writer.ToArray();
        Assert.Equal(first, writer.Written.ToArray());

        writer.Reset();
        Assert.True(writer.IsEmpty);
        Assert.Equal(0, writer.PointCount);
        writer.Point(0, 2_000, 2.0); // after a reset the run restarts: its delta is from 0, not from 1,000

        Assert.Equal([RecordText.Points([(0, 2_000, 2.0)])], RecordText.Read(writer.ToArray()));
        Assert.Equal([RecordText.SeriesAdded(["cpu.usage"]), RecordText.Points([(0, 1_000, 1.0)])], RecordText.Read(first));
    }

    [Fact]
    public void Points_written_after_the_record_was_read_out_continue_it_in_a_new_run()
    {
        using var writer = new HostRecordWriter();
        writer.Point(0, 1_000, 1.0);
        var partial = writer.ToArray();
        writer.Point(0, 2_000, 2.0);

        Assert.Equal([RecordText.Points([(0, 1_000, 1.0)])], RecordText.Read(partial));
        Assert.Equal([RecordText.Points([(0, 1_000, 1.0)]), RecordText.Points([(0, 2_000, 2.0)])], RecordText.Read(writer.ToArray()));
    }
}
