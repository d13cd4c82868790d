using System.Diagnostics;

namespace Perf.Protocols.Prometheus;

/// <summary>
/// The labels of the series a <see cref="RemoteWriteReader"/> stands on, in wire order, as <c>foreach</c> walks them
/// (it is its own enumerator). It reads bytes the reader has already validated, so it neither allocates nor throws.
/// </summary>
public ref struct RemoteWriteLabels
{
    private readonly ReadOnlySpan<byte> _fields;
    private int _position;
    private ReadOnlySpan<byte> _name;
    private ReadOnlySpan<byte> _value;

    /// <param name="fields">TimeSeries fields holding every label field: the label region alone when it is contiguous
    /// (nothing to skip), else the whole series.</param>
    internal RemoteWriteLabels(ReadOnlySpan<byte> fields)
    {
        _fields = fields;
        _position = 0;
    }

    public readonly RemoteWriteLabels GetEnumerator() => this;

    public readonly RemoteWriteLabel Current => new(_name, _value);

    public readonly ReadOnlySpan<byte> Name => _name;

    public readonly ReadOnlySpan<byte> Value => _value;

    public bool MoveNext()
    {
        var fields = _fields;
        var p = _position;
        while (p < fields.Length)
        {
            ProtoWire.TryReadVarint(fields, ref p, out var tag);
            if (tag != RemoteWriteReader.LabelsTag)
            {
                var skipped = ProtoWire.TrySkip(fields, ref p, tag);
                Debug.Assert(skipped is null, "the reader validated the series");
                continue;
            }
            ProtoWire.TryReadLengthDelimited(fields, ref p, out var label);
            _position = p;
            Parse(label, out _name, out _value);
            return true;
        }
        _position = p;
        return false;
    }

    private static void Parse(ReadOnlySpan<byte> label, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (RemoteWriteReader.IsPlainLabel(label))
        {
            name = label.Slice(2, label[1]);
            value = label[(4 + label[1])..];
            return;
        }
        name = default;
        value = default;
        var p = 0;
        // Repeated scalar fields: the last one wins, as protobuf parsers merge them.
        while (p < label.Length)
        {
            ProtoWire.TryReadVarint(label, ref p, out var tag);
            if (tag == RemoteWriteReader.LabelNameTag) ProtoWire.TryReadLengthDelimited(label, ref p, out name);
            else if (tag == RemoteWriteReader.LabelValueTag) ProtoWire.TryReadLengthDelimited(label, ref p, out value);
            else ProtoWire.TrySkip(label, ref p, tag);
        }
    }
}
