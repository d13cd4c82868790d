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

    public static int VarintLength(ulong value)
    {
        // 7 payload bits per byte; value 0 still takes one byte.
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static ulong ZigZag(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));

    public static long UnZigZag(ulong value) => unchecked((long)(value >> 1) ^ -(long)(value & 1));

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
        ulong result = 0;
        for (int i = 0; i < 10; i++)
        {
            if (offset + i >= source.Length)
            {
                throw Corrupt("truncated header");
            }

            byte b = source[offset + i];
            // The tenth byte may only carry the single remaining bit of a 64-bit value.
            if (i == 9 && b > 1)
            {
                throw Corrupt("header varint overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return result;
            }
        }

        throw Corrupt("header varint overflows 64 bits");
    }
}
