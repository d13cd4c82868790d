using System.Buffers.Binary;

namespace Perf.Analytics.Compression;

/// <summary>
/// Forward-only cursor over a chunk; exposes its full decoder state so that
/// <see cref="GorillaChunkEncoder.FromChunk"/> can resume encoding without re-encoding.
/// </summary>
internal ref struct GorillaReader
{
    private readonly ReadOnlySpan<byte> _stream;
    private int _bitPosition;
    private int _remaining;

    public GorillaReader(ReadOnlySpan<byte> chunk)
        : this(chunk, GorillaFormat.ReadHeader(chunk, out int count, out long firstTimestampMs), count, firstTimestampMs)
    {
    }

    /// <summary>A reader over an encoder's own bit stream (which has no header: the encoder knows its count and first time).</summary>
    public GorillaReader(ReadOnlySpan<byte> stream, int count, long firstTimestampMs)
        : this(stream, 0, count, firstTimestampMs)
    {
    }

    private GorillaReader(ReadOnlySpan<byte> chunk, int headerLength, int count, long firstTimestampMs)
    {
        _stream = chunk[headerLength..];
        // Every point after the first costs at least 2 bits; rejecting impossible counts up front keeps a corrupt
        // header from making callers allocate huge arrays before the truncation is noticed.
        if (count > 0 && (long)_stream.Length * 8 < 64 + 2L * (count - 1))
        {
            throw GorillaFormat.Corrupt("point count exceeds the encoded data");
        }

        Count = count;
        FirstTimestampMs = firstTimestampMs;
        _remaining = count;
        LeadingZeros = GorillaFormat.NoWindow;
    }

    public int Count { get; }

    public long FirstTimestampMs { get; }

    public long TimestampMs { get; private set; }

    public long DeltaMs { get; private set; }

    public ulong ValueBits { get; private set; }

    public int LeadingZeros { get; private set; }

    public int TrailingZeros { get; private set; }

    public readonly int BitPosition => _bitPosition;

    public readonly ReadOnlySpan<byte> Stream => _stream;

    public readonly DataPoint Current => new(TimestampMs, BitConverter.UInt64BitsToDouble(ValueBits));

    public bool MoveNext()
    {
        if (_remaining == 0)
        {
            return false;
        }

        if (_remaining == Count)
        {
            TimestampMs = FirstTimestampMs;
            ValueBits = ReadBits(64);
        }
        else
        {
            DeltaMs = unchecked(DeltaMs + ReadDeltaOfDelta());
            TimestampMs = unchecked(TimestampMs + DeltaMs);
            ReadValue();
        }

        _remaining--;
        return true;
    }

    private long ReadDeltaOfDelta()
    {
        if (ReadBit() == 0)
        {
            return 0;
        }

        if (ReadBit() == 0)
        {
            return SignExtend(ReadBits(7), 7);
        }

        if (ReadBit() == 0)
        {
            return SignExtend(ReadBits(12), 12);
        }

        if (ReadBit() == 0)
        {
            return SignExtend(ReadBits(20), 20);
        }

        if (ReadBit() == 0)
        {
            return SignExtend(ReadBits(32), 32);
        }

        return unchecked((long)ReadBits(64));
    }

    private void ReadValue()
    {
        if (ReadBit() == 0)
        {
            return;
        }

        if (ReadBit() == 0)
        {
            if (LeadingZeros == GorillaFormat.NoWindow)
            {
                throw GorillaFormat.Corrupt("window reused before one was defined");
            }

            ValueBits ^= ReadBits(64 - LeadingZeros - TrailingZeros) << TrailingZeros;
            return;
        }

        int leading = (int)ReadBits(GorillaFormat.LeadingZerosBits);
        int meaningful = (int)ReadBits(GorillaFormat.MeaningfulLengthBits);
        if (meaningful == 0)
        {
            meaningful = 64;
        }

        int trailing = 64 - leading - meaningful;
        if (trailing < 0)
        {
            throw GorillaFormat.Corrupt("value window wider than 64 bits");
        }

        LeadingZeros = leading;
        TrailingZeros = trailing;
        ValueBits ^= ReadBits(meaningful) << trailing;
    }

    private static long SignExtend(ulong value, int bits) => (long)(value << (64 - bits)) >> (64 - bits);

    private int ReadBit()
    {
        int position = _bitPosition;
        if (position >= _stream.Length << 3)
        {
            throw GorillaFormat.Corrupt("truncated bit stream");
        }

        _bitPosition = position + 1;
        return (_stream[position >> 3] >> (7 - (position & 7))) & 1;
    }

    /// <summary>Reads <paramref name="count"/> (1..64) bits, most significant first.</summary>
    private ulong ReadBits(int count)
    {
        int position = _bitPosition;
        if ((long)position + count > (long)_stream.Length << 3)
        {
            throw GorillaFormat.Corrupt("truncated bit stream");
        }

        _bitPosition = position + count;
        int index = position >> 3;
        int used = position & 7;

        if (used + count <= 64 && index + 8 <= _stream.Length)
        {
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(_stream.Slice(index, 8));
            return (word << used) >> (64 - count);
        }

        ulong result = 0;
        int available = 8 - used;
        while (count > 0)
        {
            int take = Math.Min(available, count);
            int shifted = _stream[index++] >> (available - take);
            result = (result << take) | (uint)(shifted & ((1 << take) - 1));
            count -= take;
            available = 8;
        }

        return result;
    }
}
