using System.Buffers.Binary;
using System.Diagnostics;

namespace Perf.Protocols.Prometheus;

/// <summary>
/// The samples of the series a <see cref="RemoteWriteReader"/> stands on, in wire order, as <c>foreach</c> walks them
/// (it is its own enumerator). It reads bytes the reader has already validated, so it neither allocates nor throws.
/// </summary>
public ref struct RemoteWriteSamples
{
    private readonly ReadOnlySpan<byte> _fields;
    private int _position;
    private RemoteWriteSample _current;

    /// <param name="fields">TimeSeries fields from the first sample field on.</param>
    internal RemoteWriteSamples(ReadOnlySpan<byte> fields)
    {
        _fields = fields;
        _position = 0;
        _current = default;
    }

    public readonly RemoteWriteSamples GetEnumerator() => this;

    public readonly RemoteWriteSample Current => _current;

    public bool MoveNext()
    {
        var fields = _fields;
        var p = _position;
        while (p < fields.Length)
        {
            ProtoWire.TryReadVarint(fields, ref p, out var tag);
            if (tag != RemoteWriteReader.SamplesTag)
            {
                var skipped = ProtoWire.TrySkip(fields, ref p, tag);
                Debug.Assert(skipped is null, "the reader validated the series");
                continue;
            }
            ProtoWire.TryReadLengthDelimited(fields, ref p, out var sample);
            _position = p;
            _current = Parse(sample);
            return true;
        }
        _position = p;
        return false;
    }

    private static RemoteWriteSample Parse(ReadOnlySpan<byte> sample)
    {
        ulong bits = 0, timestamp = 0;
        var p = 0;
        if (RemoteWriteReader.IsPlainSample(sample))
        {
            p = 10;
            ProtoWire.TryReadVarint(sample, ref p, out timestamp);
            return new RemoteWriteSample((long)timestamp, BitConverter.UInt64BitsToDouble(BinaryPrimitives.ReadUInt64LittleEndian(sample[1..])));
        }
        while (p < sample.Length)
        {
            ProtoWire.TryReadVarint(sample, ref p, out var tag);
            if (tag == RemoteWriteReader.SampleValueTag) ProtoWire.TryReadFixed64(sample, ref p, out bits);
            else if (tag == RemoteWriteReader.SampleTimestampTag) ProtoWire.TryReadVarint(sample, ref p, out timestamp);
            else ProtoWire.TrySkip(sample, ref p, tag);
        }
        // int64 is two's complement on the wire; a bit-for-bit double keeps NaN payloads (stale markers) intact.
        return new RemoteWriteSample((long)timestamp, BitConverter.UInt64BitsToDouble(bits));
    }
}
