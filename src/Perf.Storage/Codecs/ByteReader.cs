using System.Buffers.Binary;

namespace Perf.Storage.Codecs;

/// <summary>
/// Reads what <see cref="ByteWriter"/> wrote, with every length checked against what is left: damaged or truncated
/// bytes end in an <see cref="InvalidDataException"/> naming <see cref="What"/>, never in an out-of-range read or a huge
/// allocation.
/// </summary>
public ref struct ByteReader(ReadOnlySpan<byte> bytes, string what)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    /// <summary>What is being read, for error messages ("host record", "host snapshot").</summary>
    public readonly string What => what;

    public readonly int Position => _position;

    public readonly int Remaining => _bytes.Length - _position;

    public readonly bool AtEnd => _position == _bytes.Length;

    public byte Byte()
    {
        if (_position >= _bytes.Length) throw Truncated();
        return _bytes[_position++];
    }

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw Corrupt($"a flag holds {b}"),
    };

    public ulong Varint()
    {
        if (!Analytics.Compression.Varint.TryRead(_bytes[_position..], out var value, out var length))
            throw Remaining < Analytics.Compression.Varint.MaxLength ? Truncated() : Corrupt("a varint overflows 64 bits");
        _position += length;
        return value;
    }

    public long Int64()
    {
        var value = Varint();
        return value <= long.MaxValue ? (long)value : throw Corrupt($"a count of {value} is out of range");
    }

    /// <summary>A non-negative count no larger than <paramref name="max"/> (and never more than the bytes left could hold).</summary>
    public int Count(int max = int.MaxValue)
    {
        var value = Varint();
        if (value > (ulong)max) throw Corrupt($"a count of {value} exceeds {max}");
        return (int)value;
    }

    public long ZigZag() => Analytics.Compression.Varint.UnZigZag(Varint());

    public double Double()
    {
        if (Remaining < 8) throw Truncated();
        var value = BinaryPrimitives.ReadDoubleLittleEndian(_bytes[_position..]);
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> Span(int length)
    {
        if (length < 0 || length > Remaining) throw Truncated();
        var span = _bytes.Slice(_position, length);
        _position += length;
        return span;
    }

    public ReadOnlySpan<byte> LengthPrefixed() => Span(Count(Remaining));

    public byte[] Bytes() => LengthPrefixed().ToArray();

    public string String() => System.Text.Encoding.UTF8.GetString(LengthPrefixed());

    public double[] Doubles()
    {
        var values = new double[Count(Remaining / 8)];
        for (var i = 0; i < values.Length; i++) values[i] = Double();
        return values;
    }

    public readonly InvalidDataException Truncated() => new($"{what} is truncated at byte {_position} of {_bytes.Length}");

    public readonly InvalidDataException Corrupt(string detail) => new($"{what} is damaged at byte {_position}: {detail}");
}
