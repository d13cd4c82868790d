using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Compression;

public sealed class GorillaChunkTests
{
    private const long T0 = 1_710_928_800_000;

    // Points at T0, T0+30s, T0+30s (duplicate timestamp), T0+60s, ..., with values 0, 1, 2, ...
    private static readonly DataPoint[] Series =
        [.. new long[] { 0, 30_000, 30_000, 60_000, 90_000, 120_000, 3_600_000 }.Select((offset, i) => new DataPoint(T0 + offset, i))];

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 10));

    [Fact]
    public void Decode_ReturnsThePointsInOrder()
    {
        ChunkAssert.BitExact(Series, GorillaChunk.Decode(ChunkAssert.Encode(Series).ToArray()));
    }

    [Fact]
    public void CountOf_ReadsOnlyTheHeader()
    {
        var encoder = new GorillaChunkEncoder();
        for (int i = 0; i < 300; i++)
        {
            encoder.Append(T0 + (i * 1_000L), i);
        }

        byte[] chunk = encoder.ToArray();
        byte[] countOnly = chunk[..2]; // 300 is a two-byte varint; nothing of the stream is left

        Assert.Equal(300, GorillaChunk.CountOf(chunk));
        Assert.Equal(300, GorillaChunk.CountOf(countOnly));
        Assert.Throws<FormatException>(() => GorillaChunk.Decode(countOnly));
    }

    [Theory]
    [InlineData(0, 29_999, new[] { 0 })]
    [InlineData(30_000, 30_000, new[] { 1, 2 })] // inclusive on both ends, duplicates kept
    [InlineData(30_000, 90_000, new[] { 1, 2, 3, 4 })]
    [InlineData(30_001, 89_999, new[] { 3 })]
    [InlineData(-1_000_000, 1_000_000_000, new[] { 0, 1, 2, 3, 4, 5, 6 })]
    [InlineData(-1_000_000, -1, new int[0])] // entirely before
    [InlineData(3_600_001, 9_000_000, new int[0])] // entirely after
    [InlineData(120_001, 3_599_999, new int[0])] // inside a gap
    [InlineData(90_000, 30_000, new int[0])] // inverted range
    [InlineData(3_600_000, 3_600_000, new[] { 6 })]
    public void DecodeInto_AppendsOnlyPointsInTheClosedRange(long fromOffset, long toOffset, int[] expectedIndexes)
    {
        var destination = new List<DataPoint>();

        GorillaChunk.DecodeInto(ChunkAssert.Encode(Series).ToArray(), destination, T0 + fromOffset, T0 + toOffset);

        ChunkAssert.BitExact([.. expectedIndexes.Select(i => Series[i])], destination);
    }

    [Fact]
    public void DecodeInto_KeepsWhatTheListAlreadyHolds()
    {
        var sentinel = new DataPoint(1, 1);
        var destination = new List<DataPoint> { sentinel };

        GorillaChunk.DecodeInto(ChunkAssert.Encode(Series).ToArray(), destination, T0, T0 + 30_000);

        ChunkAssert.BitExact([sentinel, Series[0], Series[1], Series[2]], destination);
    }

    [Fact]
    public void DecodeInto_RejectsANullList()
    {
        byte[] chunk = ChunkAssert.Encode(Series).ToArray();

        Assert.Throws<ArgumentNullException>(() => GorillaChunk.DecodeInto(chunk, null!, 0, long.MaxValue));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DecodeInto_MatchesFilteringTheDecodedPoints(int seed)
    {
        var random = new Random(seed);
        for (int series = 0; series < 50; series++)
        {
            DataPoint[] points = SeriesGenerator.Next(random);
            byte[] chunk = ChunkAssert.Encode(points).ToArray();
            long first = points[0].TimestampMs;
            long span = Math.Max(1, points[^1].TimestampMs - first);
            long from = first + random.NextInt64(-span / 4, span);
            long to = from + random.NextInt64(0, span);
            var destination = new List<DataPoint>();

            GorillaChunk.DecodeInto(chunk, destination, from, to);

            ChunkAssert.BitExact([.. points.Where(p => p.TimestampMs >= from && p.TimestampMs <= to)], destination);
        }
    }

    [Fact]
    public void Decode_OfEveryTruncation_ThrowsFormatException()
    {
        byte[] chunk = ChunkAssert.Encode(Series).ToArray();

        for (int length = 0; length < chunk.Length; length++)
        {
            byte[] prefix = chunk[..length];
            Assert.Throws<FormatException>(() => GorillaChunk.Decode(prefix));
        }
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x80 })] // count varint never ends
    [InlineData(new byte[] { 0x01 })] // no first timestamp
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00 })] // count beyond 64 bits
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x08, 0x00 })] // count 2^31 exceeds int
    [InlineData(new byte[] { 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 })] // two points but bits only for one
    [InlineData(new byte[] { 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0b0100_0000 })] // window reuse before any window
    [InlineData(new byte[] { 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0b0111_1111, 0b0000_0011, 0xFF, 0xFF })] // 31 leading zeros + 64 meaningful bits
    public void Decode_OfMalformedChunks_ThrowsFormatException(byte[] chunk)
    {
        Assert.Throws<FormatException>(() => GorillaChunk.Decode(chunk));
    }

    [Fact]
    public void CountOf_OfAnEmptySpan_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => GorillaChunk.CountOf([]));
    }

    [Fact]
    public void Decode_IgnoresBytesAfterTheStream()
    {
        byte[] chunk = [.. ChunkAssert.Encode(Series).ToArray(), 0xAB, 0xCD];

        ChunkAssert.BitExact(Series, GorillaChunk.Decode(chunk));
    }
}
