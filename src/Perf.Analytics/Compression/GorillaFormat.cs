namespace Perf.Analytics.Compression;

/// <summary>
/// Layout shared by <see cref="GorillaChunkEncoder"/> and <see cref="GorillaReader"/>.
/// A chunk is: varint(point count), zigzag-varint(first timestamp), then an MSB-first bit stream
/// whose padding bits in the final byte are zero.
/// </summary>
/// <remarks>
/// Bit stream, per point:
/// <list type="bullet">
/// <item>first point: the raw 64 bits of the value (its timestamp is in the header).</item>
/// <item>later points: delta-of-delta of the timestamp, then the value XORed with the previous value.</item>
/// </list>
/// Timestamp delta-of-delta (ms, two's complement payload):
/// '0' = 0; '10'+7 bits; '110'+12 bits; '1110'+20 bits; '11110'+32 bits; '11111'+64 bits.
/// The buckets are wider than the paper's because timestamps are in milliseconds: scrape jitter of a few ms
/// lands in the 7-bit bucket and a first delta of up to ~8.7 minutes in the 20-bit one; the 64-bit bucket
/// keeps arbitrary gaps (beyond 2^32 ms) exact.
/// Value XOR: '0' = same value; '10' + the meaningful bits inside the previous leading/trailing-zero window;
/// '11' + 5 bits leading zeros + 6 bits meaningful length (0 means 64) + the meaningful bits.
/// </remarks>
internal static class GorillaFormat
{
    public const int LeadingZerosBits = 5;
    public const int MaxLeadingZeros = (1 << LeadingZerosBits) - 1;
    public const int MeaningfulLengthBits = 6;
    public const int NoWindow = byte.MaxValue;

    public static int VarintLength(ulong value) => Varint.Length(value);

    public static int WriteVarint(Span<byte> destination, ulong value) => Varint.Write(destination, value);

    public static ulong ZigZag(long value) => Varint.ZigZag(value);

    public static long UnZigZag(ulong value) => Varint.UnZigZag(value);

    /// <summary>Reads the point count only, so callers can size or skip chunks without touching the stream.</summary>
    public static int ReadCount(ReadOnlySpan<byte> chunk, out int length)
    {
        ulong count = ReadVarint(chunk, 0, out length);
        if (count > int.MaxValue)
        {
            throw Corrupt("point count out of range");
        }

        return (int)count;
    }

    public static int ReadHeader(ReadOnlySpan<byte> chunk, out int count, out long firstTimestampMs)
    {
        count = ReadCount(chunk, out int countLength);
        ulong first = ReadVarint(chunk, countLength, out int firstLength);
        firstTimestampMs = UnZigZag(first);
        return countLength + firstLength;
    }

    public static FormatException Corrupt(string detail) => new($"Invalid Gorilla chunk: {detail}.");

    private static ulong ReadVarint(ReadOnlySpan<byte> source, int offset, out int length)
    {
        if (offset > source.Length || !Varint.TryRead(source[offset..], out ulong value, out length))
        {
            throw Corrupt(offset + Varint.MaxLength > source.Length ? "truncated header" : "header varint overflows 64 bits");
        }

        return value;
    }
}
