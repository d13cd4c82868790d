using System.Buffers.Binary;
using System.IO.Compression;

namespace Perf.Protocols;

/// <summary>
/// Inflates a gzip body (<c>Content-Encoding: gzip</c>) within a size limit, and checks its trailer: .NET's GZipStream
/// quietly returns what it could inflate from a truncated body, which would store part of a request as if it were all
/// of it. The trailer (CRC-32 and length of the data) of a single-member body, which is what HTTP clients send, must
/// match what was inflated.
/// </summary>
public static class Gzip
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static byte[] Inflate(byte[] raw, long limit) => Inflate(new ArraySegment<byte>(raw), limit);

    /// <summary>Inflates a gzip member, refusing it as soon as it grows past <paramref name="limit"/> bytes (a gzip bomb).</summary>
    public static byte[] Inflate(ArraySegment<byte> raw, long limit)
    {
        if (raw.Count < 18 || raw[0] != 0x1f || raw[1] != 0x8b) throw new ProtocolFormatException("body", "is not gzip data (Content-Encoding: gzip)");
        using var inflated = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw.Array!, raw.Offset, raw.Count, writable: false), CompressionMode.Decompress);
            var chunk = new byte[81920];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (inflated.Length + read > limit)
                    throw new ProtocolFormatException("body", $"is larger than the limit of {limit} bytes once gunzipped (perf.protocols.max_decoded_bytes)", tooLarge: true);
                inflated.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ProtocolFormatException("body", "is not valid gzip data: " + e.Message);
        }
        var data = inflated.ToArray();
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Count - 8));
        var size = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Count - 4));
        if (size != (uint)data.Length || crc != Crc32(data)) throw new ProtocolFormatException("body", "is truncated or corrupt gzip data (its CRC-32 or length does not match)");
        return data;
    }

    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
