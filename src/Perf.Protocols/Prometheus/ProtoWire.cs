using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Perf.Protocols.Prometheus;

/// <summary>
/// The protobuf wire format at the level <see cref="RemoteWriteReader"/> needs it: varints, fixed-width values,
/// length-delimited payloads and skipping fields it does not read. Failures come back as a message (null on success)
/// rather than an exception so that the caller, which knows where in the request it is, names the field.
/// </summary>
internal static class ProtoWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    /// <summary>Google.Protobuf's default recursion limit: groups are the only nesting a skipped field can have.</summary>
    private const int MaxGroupDepth = 100;

    /// <summary>A varint of at most 10 bytes; false when it is truncated or longer (see <see cref="DescribeBadVarint"/>).</summary>
    /// <remarks>Bits past the 64th in a 10th byte are dropped, as Google.Protobuf does.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarint(ReadOnlySpan<byte> data, scoped ref int position, out ulong value)
    {
        // Most varints in a WriteRequest (tags, label lengths) fit in one byte.
        var p = position;
        if ((uint)p < (uint)data.Length)
        {
            var b = data[p];
            if (b < 0x80)
            {
                value = b;
                position = p + 1;
                return true;
            }
        }
        // Through fresh locals: passing the caller's position by reference to a call that is not inlined would keep it
        // in memory for the whole of the caller's loop.
        var read = TryReadLongVarint(data, p, out var next, out var longValue);
        position = next;
        value = longValue;
        return read;
    }

    private static bool TryReadLongVarint(ReadOnlySpan<byte> data, int p, out int position, out ulong value)
    {
        position = p;
        // Timestamps in milliseconds take 6 bytes: load 8 at once, find the last byte and gather the 7-bit groups
        // with shifts and masks instead of a branch per byte (and without PEXT, slow on older AMD cores). Near the
        // end of the span (a sample's timestamp is its last field) the 8 bytes are the span's last 8, shifted down.
        var available = data.Length - p;
        if ((uint)p < (uint)data.Length && data.Length >= 8)
        {
            ulong word, ends;
            if (available >= 8)
            {
                word = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(p, 8));
                ends = ~word & 0x8080_8080_8080_8080UL;
            }
            else
            {
                word = BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]) >> (8 * (8 - available));
                ends = ~word & 0x8080_8080_8080_8080UL & ((1UL << (8 * available)) - 1);
            }
            if (ends != 0)
            {
                var bits = BitOperations.TrailingZeroCount(ends) + 1; // Through the stop bit of the last byte.
                var x = (bits == 64 ? word : word & ((1UL << bits) - 1)) & 0x7F7F_7F7F_7F7F_7F7FUL;
                x = ((x & 0x7F00_7F00_7F00_7F00UL) >> 1) | (x & 0x007F_007F_007F_007FUL);
                x = ((x & 0x3FFF_0000_3FFF_0000UL) >> 2) | (x & 0x0000_3FFF_0000_3FFFUL);
                x = ((x & 0x0FFF_FFFF_0000_0000UL) >> 4) | (x & 0x0000_0000_0FFF_FFFFUL);
                value = x;
                position = p + (bits >> 3);
                return true;
            }
        }
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if ((uint)p >= (uint)data.Length) break;
            var b = data[p++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                value = result;
                position = p;
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>Why <see cref="TryReadVarint"/> failed at <paramref name="position"/>.</summary>
    public static string DescribeBadVarint(ReadOnlySpan<byte> data, int position) =>
        data.Length - position >= 10 ? "is longer than 10 bytes" : "is truncated";

    /// <summary>A field tag: null, or why it cannot be one (field number 0, over 2^29 - 1, wire type 6 or 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string? CheckTag(ulong tag) =>
        tag >> 3 is 0 or > 0x1FFF_FFFF || (tag & 7) > Fixed32 ? DescribeBadTag(tag) : null;

    private static string DescribeBadTag(ulong tag) =>
        tag >> 3 is 0 or > 0x1FFF_FFFF
            ? $"has an invalid field number {(tag >> 3).ToString(CultureInfo.InvariantCulture)}"
            : $"field {(tag >> 3).ToString(CultureInfo.InvariantCulture)} has invalid wire type {(tag & 7).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The payload of a length-delimited field whose tag has been read; null, or why it cannot be read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string? TryReadLengthDelimited(ReadOnlySpan<byte> data, scoped ref int position, out ReadOnlySpan<byte> payload)
    {
        var p = position;
        if (!TryReadVarint(data, ref p, out var length))
        {
            payload = default;
            return "has a length that " + DescribeBadVarint(data, position);
        }
        if (length > (ulong)(data.Length - p))
        {
            payload = default;
            return PastTheEnd(length, data.Length - p);
        }
        payload = data.Slice(p, (int)length);
        position = p + (int)length;
        return null;
    }

    private static string PastTheEnd(ulong length, int left) =>
        $"has a length of {length.ToString(CultureInfo.InvariantCulture)} bytes, past the end of its message ({left.ToString(CultureInfo.InvariantCulture)} bytes left)";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadFixed64(ReadOnlySpan<byte> data, scoped ref int position, out ulong value)
    {
        var p = position;
        if ((uint)p > (uint)data.Length || data.Length - p < 8)
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(p, 8));
        position = p + 8;
        return true;
    }

    /// <summary>
    /// Skips the value of a field this reader does not know (its tag read and checked); null, or why it cannot be
    /// skipped. Groups (deprecated, never written by Prometheus) are skipped to their matching end-group.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string? TrySkip(ReadOnlySpan<byte> data, scoped ref int position, ulong tag)
    {
        // Through a fresh local, for the reason given in TryReadVarint.
        var p = position;
        var error = TrySkip(data, ref p, tag, 0);
        position = p;
        return error;
    }

    private static string? TrySkip(ReadOnlySpan<byte> data, scoped ref int position, ulong tag, int depth)
    {
        var field = tag >> 3;
        switch ((int)(tag & 7))
        {
            case Varint:
                return TryReadVarint(data, ref position, out _) ? null : $"field {field} (varint) " + DescribeBadVarint(data, position);
            case Fixed64:
                return TrySkipBytes(data, ref position, 8) ? null : $"field {field} (fixed64) is truncated";
            case Fixed32:
                return TrySkipBytes(data, ref position, 4) ? null : $"field {field} (fixed32) is truncated";
            case LengthDelimited:
                return TryReadLengthDelimited(data, ref position, out _) is { } error ? $"field {field} (length-delimited) {error}" : null;
            case StartGroup:
                return TrySkipGroup(data, ref position, field, depth + 1);
            default:
                return $"field {field} ends a group that was never started";
        }
    }

    private static string? TrySkipGroup(ReadOnlySpan<byte> data, scoped ref int position, ulong field, int depth)
    {
        if (depth > MaxGroupDepth) return $"nests groups more than {MaxGroupDepth} deep";
        while (position < data.Length)
        {
            var start = position;
            if (!TryReadVarint(data, ref position, out var tag)) return $"group {field}: a field tag " + DescribeBadVarint(data, start);
            if (CheckTag(tag) is { } bad) return $"group {field}: {bad}";
            if ((tag & 7) == EndGroup)
                return tag >> 3 == field ? null : $"group {field} is ended by an end-group of field {tag >> 3}";
            if (TrySkip(data, ref position, tag, depth) is { } error) return $"group {field}: {error}";
        }
        return $"group {field} is never ended";
    }

    private static bool TrySkipBytes(ReadOnlySpan<byte> data, scoped ref int position, int count)
    {
        if (data.Length - position < count) return false;
        position += count;
        return true;
    }

    public static string WireTypeName(ulong tag) => (int)(tag & 7) switch
    {
        Varint => "0 (varint)",
        Fixed64 => "1 (fixed64)",
        LengthDelimited => "2 (length-delimited)",
        StartGroup => "3 (start group)",
        EndGroup => "4 (end group)",
        Fixed32 => "5 (fixed32)",
        var other => other.ToString(CultureInfo.InvariantCulture),
    };
}
