using System.Text;

namespace Perf.Protocols.Tests.Prometheus;

/// <summary>
/// Protobuf bytes written by hand, for what Google.Protobuf will not write: fields out of order, unknown fields,
/// wrong wire types, lengths that run past the end, overlong varints.
/// </summary>
internal sealed class ProtoBytes
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public ProtoBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public ProtoBytes Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
        return this;
    }

    public ProtoBytes Tag(int field, int wireType) => Varint((ulong)field << 3 | (uint)wireType);

    public ProtoBytes Fixed64(ulong value) => Raw(BitConverter.GetBytes(value));

    public ProtoBytes Fixed32(uint value) => Raw(BitConverter.GetBytes(value));

    public ProtoBytes Len(int field, byte[] payload) => Tag(field, 2).Varint((ulong)payload.Length).Raw(payload);

    public ProtoBytes Len(int field, ProtoBytes message) => Len(field, message.ToArray());

    public ProtoBytes Len(int field, string text) => Len(field, Encoding.UTF8.GetBytes(text));

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A <c>Label</c> message (name = 1, value = 2).</summary>
    public static ProtoBytes Label(string name, string value) => new ProtoBytes().Len(1, name).Len(2, value);

    /// <summary>A <c>Sample</c> message (value = 1 as fixed64, timestamp = 2 as varint).</summary>
    public static ProtoBytes SampleBits(ulong valueBits, long timestamp) => new ProtoBytes().Tag(1, 1).Fixed64(valueBits).Tag(2, 0).Varint((ulong)timestamp);

    public static ProtoBytes Sample(double value, long timestamp) => SampleBits(BitConverter.DoubleToUInt64Bits(value), timestamp);

    /// <summary>A <c>TimeSeries</c> with its labels first, then its samples, as Prometheus writes it.</summary>
    public static ProtoBytes Series(IEnumerable<(string Name, string Value)> labels, params ProtoBytes[] samples)
    {
        var series = new ProtoBytes();
        foreach (var (name, value) in labels) series.Len(1, Label(name, value));
        foreach (var sample in samples) series.Len(2, sample);
        return series;
    }

    /// <summary>A <c>WriteRequest</c> of these series (field 1).</summary>
    public static byte[] Request(params ProtoBytes[] series)
    {
        var request = new ProtoBytes();
        foreach (var s in series) request.Len(1, s);
        return request.ToArray();
    }
}
