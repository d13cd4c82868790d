using Google.Protobuf;
using Perf.Protocols.Prometheus.Wire;
using Snappier;

namespace Perf.Protocols.Prometheus;

/// <summary>
/// Prometheus remote write 1.0 bodies: a <c>WriteRequest</c> protobuf compressed with snappy's block format (not the
/// framed stream format). Decoding refuses a body whose declared uncompressed length is over the limit before
/// allocating anything, so a small body cannot make the receiver allocate gigabytes.
/// </summary>
public static class RemoteWriteCodec
{
    /// <summary>The NaN Prometheus writes when a series disappears from its target (a "stale marker").</summary>
    public const ulong StaleMarkerBits = 0x7ff0000000000002;

    public static bool IsStaleMarker(double value) => BitConverter.DoubleToUInt64Bits(value) == StaleMarkerBits;

    public static WriteRequest Decode(ReadOnlySpan<byte> body, long maxDecodedBytes)
    {
        // The header is read by RemoteWriteBody: Snappier reads 2^31 bytes or more as a negative length.
        var length = RemoteWriteBody.DecodedLength(body, maxDecodedBytes);
        var decoded = new byte[length];
        try
        {
            if (!Snappy.TryDecompress(body, decoded, out var written) || written != length)
                throw new ProtocolFormatException("body", "is truncated or corrupt snappy data");
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ProtocolFormatException("body", "is truncated or corrupt snappy data: " + e.Message);
        }
        try
        {
            return WriteRequest.Parser.ParseFrom(decoded);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtocolFormatException("body", "is not a Prometheus WriteRequest protobuf: " + e.Message);
        }
    }

    public static byte[] Encode(WriteRequest request) => Snappy.CompressToArray(request.ToByteArray());

    /// <summary>A label as the wire carries it (name and value as UTF-8 bytes).</summary>
    public static Label Label(string name, string value) =>
        new() { Name = ByteString.CopyFromUtf8(name), Value = ByteString.CopyFromUtf8(value) };
}
