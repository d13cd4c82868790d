namespace Perf.Analytics.Compression;

/// <summary>
/// Unsigned LEB128 varints (7 payload bits per byte, least significant group first) and zigzag for signed values: the
/// integer encoding of Gorilla chunk headers and of Perf's stored records.
/// </summary>
public static class Varint
{
    /// <summary>The most bytes a 64-bit varint takes.</summary>
    public const int MaxLength = 10;

    public static int Length(ulong value)
    {
        // 7 payload bits per byte; value 0 still takes one byte.
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
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

    /// <summary>
    /// Reads a varint at the start of <paramref name="source"/>; false when it is truncated or longer than 64 bits (a
    /// tenth byte may only carry the one remaining bit).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        for (int i = 0; i < MaxLength && i < source.Length; i++)
        {
            byte b = source[i];
            if (i == MaxLength - 1 && b > 1)
            {
                break;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return true;
            }
        }

        value = 0;
        length = 0;
        return false;
    }

    public static ulong ZigZag(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));

    public static long UnZigZag(ulong value) => unchecked((long)(value >> 1) ^ -(long)(value & 1));
}
