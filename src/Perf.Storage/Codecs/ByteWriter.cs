using System.Buffers;
using System.Buffers.Binary;
using Perf.Analytics.Compression;

namespace Perf.Storage.Codecs;

/// <summary>
/// A growable buffer rented from the shared array pool that Perf's stored layouts are written into: varints, zigzag
/// varints, little-endian doubles, length-prefixed UTF-8 strings and byte strings. Reused between records by
/// <see cref="Reset"/>; <see cref="Dispose"/> returns the buffer to the pool.
/// </summary>
public sealed class ByteWriter(int initialCapacity = 256) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Reset() => Length = 0;

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void Varint(ulong value)
    {
        Ensure(Analytics.Compression.Varint.MaxLength);
        Length += Analytics.Compression.Varint.Write(_buffer.AsSpan(Length), value);
    }

    public void Varint(long value) => Varint(checked((ulong)value));

    public void ZigZag(long value) => Varint(Analytics.Compression.Varint.ZigZag(value));

    public void Double(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void String(string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        Varint((ulong)bytes);
        Ensure(bytes);
        Length += System.Text.Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Varint((ulong)value.Length);
        Raw(value);
    }

    public void Raw(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    public void Doubles(ReadOnlySpan<double> values)
    {
        Varint((ulong)values.Length);
        foreach (var value in values) Double(value);
    }

    /// <summary>Reserves <paramref name="count"/> bytes to be filled in later (<see cref="Patch"/>); returns their offset.</summary>
    public int Reserve(int count)
    {
        Ensure(count);
        var at = Length;
        Length += count;
        return at;
    }

    public Span<byte> Patch(int offset, int count) => _buffer.AsSpan(offset, count);

    /// <summary>The written bytes as an array of their own (what a database parameter takes).</summary>
    public byte[] ToArray() => Written.ToArray();

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private void Ensure(int more)
    {
        if (Length + more <= _buffer.Length) return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + more));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
