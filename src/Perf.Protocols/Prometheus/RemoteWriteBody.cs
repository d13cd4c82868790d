using System.Buffers;
using System.Globalization;
using Snappier;

namespace Perf.Protocols.Prometheus;

/// <summary>
/// The snappy block (not framed stream) decompression of a remote write body into a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>, for <see cref="RemoteWriteReader"/>. The declared length is read and checked
/// here, before anything is rented: Snappier returns a length of 2^31 or more as a negative <c>int</c>, which would slip
/// under any limit and then either throw from <c>new byte[]</c> or "decompress" to nothing.
/// </summary>
public static class RemoteWriteBody
{
    /// <summary>
    /// The uncompressed length a snappy block declares in its header: a little-endian base-128 varint of at most
    /// 32 bits. Refused, before any allocation, as over the limit when it is more than
    /// <paramref name="maxDecodedBytes"/> (or more than an array can hold) and as malformed when there is no complete
    /// header.
    /// </summary>
    public static int DecodedLength(ReadOnlySpan<byte> body, long maxDecodedBytes)
    {
        ulong length = 0;
        var i = 0;
        while (true)
        {
            if (i == body.Length)
                throw new ProtocolFormatException("body", body.Length == 0
                    ? "is empty, not snappy block-compressed data (Content-Encoding: snappy)"
                    : "is not snappy block-compressed data (Content-Encoding: snappy): its length header is truncated");
            var b = body[i];
            length |= (ulong)(b & 0x7F) << (7 * i);
            i++;
            if (b < 0x80) break;
            // Snappy lengths are 32 bits: five bytes, the last carrying four. A longer header is not snappy.
            if (i == 5)
                throw new ProtocolFormatException("body", "is not snappy block-compressed data (Content-Encoding: snappy): its length header is longer than 5 bytes");
        }
        if (length > uint.MaxValue)
            throw new ProtocolFormatException("body", "is not snappy block-compressed data (Content-Encoding: snappy): its length header is over 32 bits");
        var limit = Math.Clamp(maxDecodedBytes, 0, Array.MaxLength - 1);
        if (length > (ulong)limit)
            throw new ProtocolFormatException("body",
                $"decompresses to {length.ToString(CultureInfo.InvariantCulture)} bytes, more than the limit of {limit.ToString(CultureInfo.InvariantCulture)} (perf.protocols.max_decoded_bytes)",
                tooLarge: true);
        return (int)length;
    }

    /// <summary>
    /// Decompresses <paramref name="body"/> into a buffer rented from <see cref="ArrayPool{T}.Shared"/>: its first
    /// <paramref name="length"/> bytes are the <c>WriteRequest</c>. The caller gives the buffer back with
    /// <c>ArrayPool&lt;byte&gt;.Shared.Return</c> once it is done reading (also when reading throws); on a throw from
    /// here, nothing is rented.
    /// </summary>
    /// <exception cref="ProtocolFormatException">Not snappy, truncated or corrupt, or over the limit
    /// (<see cref="ProtocolFormatException.TooLarge"/>).</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> body, long maxDecodedBytes, out int length)
    {
        length = DecodedLength(body, maxDecodedBytes);
        // One byte more than declared: Snappier stops reading at the declared length but hands over whatever its tags
        // produced, so data longer than its header shows up as a byte written past the length.
        var buffer = ArrayPool<byte>.Shared.Rent(length + 1);
        try
        {
            // Snappier signals corrupt input through several exception types (InvalidOperationException for a bad
            // length header inside TryDecompress): all of them are the sender's fault, none is the server's.
            if (Snappy.TryDecompress(body, buffer.AsSpan(0, length + 1), out var written) && written == length) return buffer;
            ArrayPool<byte>.Shared.Return(buffer);
            throw new ProtocolFormatException("body", "is truncated or corrupt snappy data");
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new ProtocolFormatException("body", "is truncated or corrupt snappy data: " + e.Message);
        }
    }
}
