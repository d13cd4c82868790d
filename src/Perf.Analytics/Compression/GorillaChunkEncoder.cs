using System.Buffers.Binary;
using System.Numerics;

namespace Perf.Analytics.Compression;

/// <summary>
/// Appends points to a Gorilla-compressed chunk (delta-of-delta timestamps, XOR-encoded doubles);
/// see <see cref="GorillaFormat"/> for the layout.
/// </summary>
/// <remarks>
/// A process keeps one of these per live series (100k+), so the instance is a handful of scalar fields and one
/// byte array that starts at 16 bytes and doubles; an empty encoder allocates no array at all.
/// The header is produced only by <see cref="ToArray"/> because the varint point count changes size as points arrive.
/// Not thread-safe: the owning actor serialises access.
/// </remarks>
public sealed class GorillaChunkEncoder
{
    private const int InitialCapacity = 16;

    private byte[] _stream = [];
    // The size to start the stream at (0: grow from InitialCapacity): a head that is sealed and refilled over and over
    // would otherwise regrow through every doubling after each seal.
    private readonly int _capacityHint;

    public GorillaChunkEncoder()
    {
    }

    /// <param name="capacityHint">bytes to take at the first append instead of growing to them.</param>
    public GorillaChunkEncoder(int capacityHint) => _capacityHint = Math.Max(0, capacityHint);

    /// <summary>Bytes held for the stream (what the encoder costs in memory).</summary>
    public int Capacity => _stream.Length;
    private int _bitCount;
    private int _count;
    private long _firstTimestampMs;
    private long _lastTimestampMs;
    private long _lastDeltaMs;
    private ulong _lastValueBits;
    private byte _leadingZeros = GorillaFormat.NoWindow;
    private byte _trailingZeros;

    /// <summary>Number of points appended.</summary>
    public int Count => _count;

    /// <summary>Timestamp of the first point; 0 when empty.</summary>
    public long FirstTimestampMs => _firstTimestampMs;

    /// <summary>Timestamp of the last point; 0 when empty.</summary>
    public long LastTimestampMs => _lastTimestampMs;

    /// <summary>Value of the last point (bit-exact); 0 when empty.</summary>
    public double LastValue => BitConverter.UInt64BitsToDouble(_lastValueBits);

    /// <summary>Length of the array <see cref="ToArray"/> would return.</summary>
    public int ByteCount => HeaderLength + StreamByteCount;

    private int StreamByteCount => (_bitCount + 7) >> 3;

    private int HeaderLength =>
        GorillaFormat.VarintLength((ulong)_count) + GorillaFormat.VarintLength(GorillaFormat.ZigZag(_firstTimestampMs));

    /// <summary>Appends a point in O(1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestampMs"/> is before <see cref="LastTimestampMs"/>.</exception>
    public void Append(long timestampMs, double value)
    {
        ulong valueBits = BitConverter.DoubleToUInt64Bits(value);
        if (_count == 0)
        {
            WriteBits(valueBits, 64);
            _firstTimestampMs = timestampMs;
            _lastTimestampMs = timestampMs;
            _lastValueBits = valueBits;
            _count = 1;
            return;
        }

        if (timestampMs < _lastTimestampMs)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timestampMs),
                timestampMs,
                $"Points must be appended in time order; the last timestamp is {_lastTimestampMs}.");
        }

        if (_count == int.MaxValue)
        {
            throw new InvalidOperationException("A chunk cannot hold more than int.MaxValue points.");
        }

        // Wrapping arithmetic: the decoder wraps the same way, so even deltas that overflow round-trip.
        long delta = unchecked(timestampMs - _lastTimestampMs);
        WriteDeltaOfDelta(unchecked(delta - _lastDeltaMs));
        WriteValue(valueBits);

        _lastTimestampMs = timestampMs;
        _lastDeltaMs = delta;
        _lastValueBits = valueBits;
        _count++;
    }

    /// <summary>The points appended, oldest first, read in place (nothing is copied or allocated).</summary>
    public GorillaPoints Points => new(new GorillaReader(_stream.AsSpan(0, StreamByteCount), _count, _firstTimestampMs));

    /// <summary>A self-contained chunk of the first <paramref name="count"/> points (what a seal writes).</summary>
    public byte[] EncodePrefix(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _count);
        var prefix = new GorillaChunkEncoder();
        var reader = new GorillaReader(_stream.AsSpan(0, StreamByteCount), _count, _firstTimestampMs);
        for (int i = 0; i < count && reader.MoveNext(); i++)
        {
            prefix.Append(reader.TimestampMs, BitConverter.UInt64BitsToDouble(reader.ValueBits));
        }

        return prefix.ToArray();
    }

    /// <summary>A new encoder holding the points after <paramref name="timestampMs"/> (what is left of a head after a seal).</summary>
    public GorillaChunkEncoder After(long timestampMs)
    {
        // What is left of a head grows back to the head's size: take that room at once.
        var rest = new GorillaChunkEncoder(_stream.Length);
        var reader = new GorillaReader(_stream.AsSpan(0, StreamByteCount), _count, _firstTimestampMs);
        while (reader.MoveNext())
        {
            if (reader.TimestampMs > timestampMs)
            {
                rest.Append(reader.TimestampMs, BitConverter.UInt64BitsToDouble(reader.ValueBits));
            }
        }

        return rest;
    }

    /// <summary>Returns the self-contained chunk: header followed by the bit stream.</summary>
    public byte[] ToArray()
    {
        int streamBytes = StreamByteCount;
        var chunk = new byte[HeaderLength + streamBytes];
        int offset = GorillaFormat.WriteVarint(chunk, (ulong)_count);
        offset += GorillaFormat.WriteVarint(chunk.AsSpan(offset), GorillaFormat.ZigZag(_firstTimestampMs));
        _stream.AsSpan(0, streamBytes).CopyTo(chunk.AsSpan(offset));
        return chunk;
    }

    /// <summary>Reopens an encoded chunk so that more points can be appended to it.</summary>
    /// <exception cref="FormatException">The chunk is malformed or truncated.</exception>
    public static GorillaChunkEncoder FromChunk(ReadOnlySpan<byte> chunk)
    {
        var reader = new GorillaReader(chunk);
        var encoder = new GorillaChunkEncoder();
        if (reader.Count == 0)
        {
            return encoder;
        }

        while (reader.MoveNext())
        {
        }

        // Encoding is deterministic, so the decoder's final state is exactly the state the original encoder had:
        // copying the stream is equivalent to re-encoding every point, and much cheaper.
        int bitCount = reader.BitPosition;
        int streamBytes = (bitCount + 7) >> 3;
        var stream = new byte[GrowCapacity(0, streamBytes)];
        reader.Stream[..streamBytes].CopyTo(stream);
        int padding = (streamBytes << 3) - bitCount;
        if (padding > 0)
        {
            // Later appends OR bits into the last byte, so foreign padding must not leak into them.
            stream[streamBytes - 1] &= (byte)(0xFF << padding);
        }

        encoder._stream = stream;
        encoder._bitCount = bitCount;
        encoder._count = reader.Count;
        encoder._firstTimestampMs = reader.FirstTimestampMs;
        encoder._lastTimestampMs = reader.TimestampMs;
        encoder._lastDeltaMs = reader.DeltaMs;
        encoder._lastValueBits = reader.ValueBits;
        encoder._leadingZeros = (byte)reader.LeadingZeros;
        encoder._trailingZeros = (byte)reader.TrailingZeros;
        return encoder;
    }

    private void WriteDeltaOfDelta(long dod)
    {
        // Each bucket is a unary prefix followed by a two's complement payload, written in one call.
        if (dod == 0)
        {
            WriteBits(0, 1);
        }
        else if (dod >= -(1L << 6) && dod < 1L << 6)
        {
            WriteBits((0b10UL << 7) | ((ulong)dod & ((1UL << 7) - 1)), 2 + 7);
        }
        else if (dod >= -(1L << 11) && dod < 1L << 11)
        {
            WriteBits((0b110UL << 12) | ((ulong)dod & ((1UL << 12) - 1)), 3 + 12);
        }
        else if (dod >= -(1L << 19) && dod < 1L << 19)
        {
            WriteBits((0b1110UL << 20) | ((ulong)dod & ((1UL << 20) - 1)), 4 + 20);
        }
        else if (dod >= int.MinValue && dod <= int.MaxValue)
        {
            WriteBits((0b11110UL << 32) | ((ulong)dod & uint.MaxValue), 5 + 32);
        }
        else
        {
            WriteBits(0b11111, 5);
            WriteBits(unchecked((ulong)dod), 64);
        }
    }

    private void WriteValue(ulong valueBits)
    {
        ulong xor = valueBits ^ _lastValueBits;
        if (xor == 0)
        {
            WriteBits(0, 1);
            return;
        }

        int leading = Math.Min(BitOperations.LeadingZeroCount(xor), GorillaFormat.MaxLeadingZeros);
        int trailing = BitOperations.TrailingZeroCount(xor);
        int meaningful = 64 - leading - trailing;

        if (_leadingZeros != GorillaFormat.NoWindow && leading >= _leadingZeros && trailing >= _trailingZeros)
        {
            int windowBits = 64 - _leadingZeros - _trailingZeros;
            // Reusing costs 2 + window bits, a new window 13 + meaningful bits: reuse only when not dearer,
            // otherwise one outlier's wide window would tax every later value.
            if (windowBits <= meaningful + 11)
            {
                WriteBits(0b10, 2);
                WriteBits(xor >> _trailingZeros, windowBits);
                return;
            }
        }

        // A meaningful length of 64 does not fit 6 bits; it is written as 0, which cannot otherwise occur.
        WriteBits(
            (0b11UL << 11) | ((ulong)leading << GorillaFormat.MeaningfulLengthBits) | ((ulong)meaningful & 63),
            2 + GorillaFormat.LeadingZerosBits + GorillaFormat.MeaningfulLengthBits);
        WriteBits(xor >> trailing, meaningful);
        _leadingZeros = (byte)leading;
        _trailingZeros = (byte)trailing;
    }

    /// <summary>Writes the low <paramref name="count"/> bits (1..64) of <paramref name="bits"/>, most significant first.</summary>
    private void WriteBits(ulong bits, int count)
    {
        int bitCount = _bitCount;
        if (bitCount > int.MaxValue - count)
        {
            throw new InvalidOperationException("The chunk exceeds the maximum encodable size.");
        }

        int requiredBytes = (int)(((long)bitCount + count + 7) >> 3);
        if (requiredBytes > _stream.Length)
        {
            Array.Resize(ref _stream, GrowCapacity(Math.Max(_stream.Length, _stream.Length == 0 ? _capacityHint : 0), requiredBytes));
        }

        int index = bitCount >> 3;
        int used = bitCount & 7;
        _bitCount = bitCount + count;
        if (count < 64)
        {
            bits &= (1UL << count) - 1;
        }

        // Fast path: one big-endian read-modify-write of the 8 bytes under the cursor.
        if (used + count <= 64 && index + 8 <= _stream.Length)
        {
            Span<byte> window = _stream.AsSpan(index, 8);
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(window);
            word |= bits << (64 - used - count);
            BinaryPrimitives.WriteUInt64BigEndian(window, word);
            return;
        }

        int free = 8 - used;
        while (count > 0)
        {
            if (count >= free)
            {
                count -= free;
                _stream[index++] |= (byte)((bits >> count) & ((1UL << free) - 1));
                free = 8;
            }
            else
            {
                _stream[index] |= (byte)(bits << (free - count));
                count = 0;
            }
        }
    }

    private static int GrowCapacity(int current, int required)
    {
        long capacity = Math.Max(current, InitialCapacity);
        while (capacity < required)
        {
            capacity *= 2;
        }

        return (int)Math.Min(capacity, Array.MaxLength);
    }
}
