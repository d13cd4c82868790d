using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Compression;

public sealed class GorillaChunkEncoderTests
{
    private const long March20 = 1_710_928_800_000; // 2024-03-20T10:00:00Z

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 20));

    [Fact]
    public void NewEncoder_IsEmptyAndEncodesAnEmptyChunk()
    {
        var encoder = new GorillaChunkEncoder();

        Assert.Equal(0, encoder.Count);
        Assert.Equal(0, encoder.FirstTimestampMs);
        Assert.Equal(0, encoder.LastTimestampMs);
        Assert.Equal(0.0, encoder.LastValue);
        byte[] chunk = encoder.ToArray();
        Assert.Equal(encoder.ByteCount, chunk.Length);
        Assert.Equal(0, GorillaChunk.CountOf(chunk));
        Assert.Empty(GorillaChunk.Decode(chunk));
    }

    [Fact]
    public void Append_TracksCountFirstAndLast()
    {
        var encoder = new GorillaChunkEncoder();

        encoder.Append(March20, 1.5);
        encoder.Append(March20 + 30_000, 2.5);
        encoder.Append(March20 + 60_000, -3.25);

        Assert.Equal(3, encoder.Count);
        Assert.Equal(March20, encoder.FirstTimestampMs);
        Assert.Equal(March20 + 60_000, encoder.LastTimestampMs);
        Assert.Equal(-3.25, encoder.LastValue);
    }

    [Fact]
    public void Append_BeforeLastTimestamp_ThrowsAndLeavesTheChunkUnchanged()
    {
        var encoder = new GorillaChunkEncoder();
        encoder.Append(March20, 1);
        encoder.Append(March20 + 1_000, 2);
        byte[] before = encoder.ToArray();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Append(March20 + 999, 3));

        Assert.Equal("timestampMs", error.ParamName);
        Assert.Equal(2, encoder.Count);
        Assert.Equal(before, encoder.ToArray());
        encoder.Append(March20 + 1_000, 3);
        Assert.Equal(3, encoder.Count);
    }

    [Fact]
    public void Append_FirstPointMayHaveAnyTimestamp()
    {
        var encoder = new GorillaChunkEncoder();

        encoder.Append(-5_000, 1);
        encoder.Append(-4_000, 2);

        ChunkAssert.BitExact([new(-5_000, 1), new(-4_000, 2)], GorillaChunk.Decode(encoder.ToArray()));
    }

    [Theory]
    [InlineData(0x0000_0000_0000_0000L)] // +0.0
    [InlineData(unchecked((long)0x8000_0000_0000_0000))] // -0.0
    [InlineData(0x7FF0_0000_0000_0000L)] // +Infinity
    [InlineData(unchecked((long)0xFFF0_0000_0000_0000))] // -Infinity
    [InlineData(0x7FF8_0000_0000_0000L)] // canonical quiet NaN
    [InlineData(unchecked((long)0xFFF8_0000_0000_0000))] // negative NaN (what x64 produces for 0/0)
    [InlineData(0x7FF8_0000_0000_0001L)] // quiet NaN with payload
    [InlineData(0x7FF0_0000_0000_0001L)] // signalling NaN
    [InlineData(0x7FFF_FFFF_FFFF_FFFFL)] // NaN, all payload bits
    [InlineData(0x0000_0000_0000_0001L)] // smallest subnormal
    [InlineData(0x000F_FFFF_FFFF_FFFFL)] // largest subnormal
    [InlineData(0x0010_0000_0000_0000L)] // smallest normal
    [InlineData(0x7FEF_FFFF_FFFF_FFFFL)] // double.MaxValue
    [InlineData(unchecked((long)0xFFFF_FFFF_FFFF_FFFF))] // every bit set
    public void SpecialValues_RoundTripBitForBit(long bits)
    {
        double special = BitConverter.Int64BitsToDouble(bits);
        // As the first value, repeated, after and before ordinary values, so every value encoding meets it.
        double[] values = [special, special, 1.0, special, -1.0, 0.0, special, special, 12345.678, special];
        var points = values.Select((v, i) => new DataPoint(March20 + (i * 30_000L), v)).ToArray();

        var encoder = ChunkAssert.Encode(points);

        ChunkAssert.BitExact(points, GorillaChunk.Decode(encoder.ToArray()));
        Assert.Equal(bits, BitConverter.DoubleToInt64Bits(encoder.LastValue));
    }

    [Theory]
    [InlineData(March20, new long[] { 30_000, 30_000, 30_000 })]
    [InlineData(March20, new long[] { 0, 0, 0, 1, 0 })] // zero deltas
    [InlineData(March20, new long[] { 30_000, 30_003, 29_998, 30_001, 30_000 })] // scrape jitter
    [InlineData(March20, new long[] { 5_000_000_000, 1, 5_000_000_000, 0 })] // gaps beyond 2^32 ms
    [InlineData(0, new long[] { 1L << 40, 1L << 50, 1, 1L << 52 })] // gaps far beyond 2^32 ms
    [InlineData(March20, new long[] { 63, 64, 65, 2_047, 2_048, 2_049, 524_287, 524_288, 524_289 })] // bucket edges
    [InlineData(March20, new long[] { 600_000, 0, 600_000, 0, 4_294_967_295, 4_294_967_296 })]
    [InlineData(-1_000_000_000_000, new long[] { 999_999_999_999, 1, 1_000_000_000_000 })] // crossing the epoch
    [InlineData(253_402_300_799_000, new long[] { 999, 1_000_000_000 })] // beyond year 9999 is still just a number
    public void Timestamps_RoundTripExactly(long first, long[] deltas)
    {
        var points = new List<DataPoint> { new(first, 1.0) };
        long timestamp = first;
        foreach (long delta in deltas)
        {
            timestamp += delta;
            points.Add(new DataPoint(timestamp, points.Count));
        }

        var encoder = ChunkAssert.Encode(points);

        ChunkAssert.BitExact(points, GorillaChunk.Decode(encoder.ToArray()));
        Assert.Equal(first, encoder.FirstTimestampMs);
        Assert.Equal(timestamp, encoder.LastTimestampMs);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomSeries_RoundTripBitForBit(int seed)
    {
        var random = new Random(seed);
        for (int series = 0; series < 50; series++)
        {
            DataPoint[] points = SeriesGenerator.Next(random);
            var encoder = ChunkAssert.Encode(points);
            byte[] chunk = encoder.ToArray();

            ChunkAssert.BitExact(points, GorillaChunk.Decode(chunk));
            Assert.Equal(points.Length, GorillaChunk.CountOf(chunk));
            Assert.Equal(chunk.Length, encoder.ByteCount);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ByteCount_MatchesToArrayAfterEveryAppend(int seed)
    {
        var random = new Random(seed);
        DataPoint[] points = SeriesGenerator.Next(random);
        var encoder = new GorillaChunkEncoder();

        foreach (var point in points)
        {
            encoder.Append(point.TimestampMs, point.Value);
            Assert.Equal(encoder.ToArray().Length, encoder.ByteCount);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void FromChunk_ThenAppend_GivesTheSameBytesAsOneUninterruptedEncoder(int seed)
    {
        var random = new Random(seed);
        for (int series = 0; series < 25; series++)
        {
            DataPoint[] points = SeriesGenerator.Next(random);
            int split = random.Next(points.Length + 1);
            byte[] expected = ChunkAssert.Encode(points).ToArray();

            var reopened = GorillaChunkEncoder.FromChunk(ChunkAssert.Encode(points[..split]).ToArray());
            foreach (var point in points[split..])
            {
                reopened.Append(point.TimestampMs, point.Value);
            }

            Assert.Equal(expected, reopened.ToArray());
        }
    }

    [Fact]
    public void FromChunk_RestoresTheObservableState()
    {
        var original = ChunkAssert.Encode(
            [new(March20, 10), new(March20 + 30_000, 10.5), new(March20 + 61_000, double.NegativeInfinity)]);

        var reopened = GorillaChunkEncoder.FromChunk(original.ToArray());

        Assert.Equal(original.Count, reopened.Count);
        Assert.Equal(original.FirstTimestampMs, reopened.FirstTimestampMs);
        Assert.Equal(original.LastTimestampMs, reopened.LastTimestampMs);
        Assert.Equal(original.LastValue, reopened.LastValue);
        Assert.Equal(original.ByteCount, reopened.ByteCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => reopened.Append(March20 + 60_999, 1));
    }

    [Fact]
    public void FromChunk_OfAnEmptyChunk_BehavesLikeANewEncoder()
    {
        var reopened = GorillaChunkEncoder.FromChunk(new GorillaChunkEncoder().ToArray());
        reopened.Append(March20, 42);

        Assert.Equal(ChunkAssert.Encode([new(March20, 42)]).ToArray(), reopened.ToArray());
    }

    [Fact]
    public void FromChunk_IgnoresPaddingBitsSoLaterAppendsAreNotCorrupted()
    {
        DataPoint[] points = [new(March20, 1), new(March20 + 30_000, 2), new(March20 + 60_000, 2)];
        byte[] chunk = ChunkAssert.Encode(points).ToArray();
        // Stream: 64 (first value) + 24 (first delta) + 24 (1.0 -> 2.0, new window) + 2 (repeat) = 114 bits,
        // so the last byte holds 2 stream bits and 6 padding bits; another writer need not leave them zero.
        chunk[^1] |= 0b0011_1111;
        ChunkAssert.BitExact(points, GorillaChunk.Decode(chunk));

        var reopened = GorillaChunkEncoder.FromChunk(chunk);
        reopened.Append(March20 + 90_000, 2);
        reopened.Append(March20 + 120_000, 2);

        ChunkAssert.BitExact(
            [.. points, new(March20 + 90_000, 2), new(March20 + 120_000, 2)],
            GorillaChunk.Decode(reopened.ToArray()));
    }

    [Fact]
    public void FromChunk_OfATruncatedChunk_Throws()
    {
        byte[] chunk = ChunkAssert.Encode([new(March20, 1), new(March20 + 30_000, 2)]).ToArray();

        Assert.Throws<FormatException>(() => GorillaChunkEncoder.FromChunk(chunk.AsSpan(0, chunk.Length - 1)));
    }

    [Fact]
    public void RegularCpuSeries_CompressesBelowTwoAndAHalfBytesPerPoint()
    {
        // CPU usage as agents usually report it, in whole percent, drifting by at most one point per 30 s sample.
        var random = new Random(7);
        var encoder = new GorillaChunkEncoder();
        double cpu = 42;
        for (int i = 0; i < 120; i++)
        {
            encoder.Append(March20 + (i * 30_000L), cpu);
            cpu = Math.Clamp(cpu + random.Next(-1, 2), 0, 100);
        }

        double bytesPerPoint = (double)encoder.ByteCount / encoder.Count;
        TestContext.Current.TestOutputHelper?.WriteLine($"{encoder.ByteCount} bytes for 120 points = {bytesPerPoint:F3} bytes/point");

        Assert.True(bytesPerPoint < 2.5, $"{bytesPerPoint:F3} bytes/point");
    }

    [Fact]
    public void ConstantRegularSeries_CostsTwoBitsPerPoint()
    {
        var encoder = new GorillaChunkEncoder();
        for (int i = 0; i < 1_000; i++)
        {
            encoder.Append(March20 + (i * 10_000L), 99.5);
        }

        // header (2 + 6 bytes) + first value (64 bits) + first delta (24 bits) + one value bit + 998 x (1 + 1) bits.
        Assert.Equal(8 + ((64 + 24 + 1 + (998 * 2) + 7) / 8), encoder.ByteCount);
    }

    [Fact]
    public void WorstCaseValues_StayCloseToRawSize()
    {
        var random = new Random(3);
        var encoder = new GorillaChunkEncoder();
        for (int i = 0; i < 1_000; i++)
        {
            encoder.Append(March20 + (i * 30_000L), BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)));
        }

        // Random bits cannot be compressed, but the control bits must not add more than ~13 bits a point.
        Assert.True(encoder.ByteCount < 1_000 * (8 + 2), $"{encoder.ByteCount} bytes");
    }

    [Fact]
    public void EncodedFormat_IsStable()
    {
        // Chunks are persisted: a change here makes stored data unreadable, so it must be deliberate.
        var encoder = ChunkAssert.Encode(
        [
            new(March20, 45.0),
            new(March20 + 30_000, 45.0),
            new(March20 + 60_000, 46.0),
            new(March20 + 90_005, 46.5),
            new(March20 + 90_005, -46.5),
            new(March20 + 5_000_000_000, 46.5),
        ]);

        Assert.Equal(GoldenChunkHex, Convert.ToHexString(encoder.ToArray()));
    }

    [Fact]
    public void SmallEncoder_KeepsItsFootprintSmall()
    {
        static GorillaChunkEncoder Create()
        {
            var encoder = new GorillaChunkEncoder();
            encoder.Append(March20, 1);
            encoder.Append(March20 + 30_000, 1);
            encoder.Append(March20 + 60_000, 1);
            return encoder;
        }

        GC.KeepAlive(Create()); // warm up the JIT so only the encoder itself is measured
        long before = GC.GetAllocatedBytesForCurrentThread();
        var encoder = Create();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        GC.KeepAlive(encoder);
        // The object (~72 bytes) plus a 16-byte initial buffer (~40 bytes) on 64-bit.
        Assert.True(allocated <= 128, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Buffer_GrowsGeometrically()
    {
        var random = new Random(11);
        var encoder = new GorillaChunkEncoder();
        encoder.Append(0, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i <= 20_000; i++)
        {
            encoder.Append(i, random.NextDouble());
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Doubling allocates at most ~4x the final size in total; linear growth would allocate megabytes here.
        Assert.True(allocated < (4L * encoder.ByteCount) + 1_024, $"{allocated} bytes allocated for a {encoder.ByteCount}-byte chunk");
    }

    // Checked by hand: count 6, zigzag-varint first timestamp, 45.0 raw, '1110'+30000, '0', '0', '11'+15+2+'11',
    // '10'+5, '11'+17+1+'1', '1110'+(-30005), '11'+0+1+'1', '11111'+4999909995, '10'+'1', two padding bits.
    private const string GoldenChunkHex = "0680A4EDB4CB634046800000000000E075303785C17883EF8ACBC00FE00000002540924D74";
}
