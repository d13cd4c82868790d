namespace Perf.Protocols.Prometheus;

/// <summary>
/// The label fields (tag, length and <c>Label</c> message, as raw bytes) among a validated series' fields: how
/// <see cref="RemoteWriteReader"/> reads label bytes that other fields interleave.
/// </summary>
internal ref struct RemoteWriteLabelFields(ReadOnlySpan<byte> fields)
{
    private readonly ReadOnlySpan<byte> _fields = fields;
    private int _position;

    public readonly RemoteWriteLabelFields GetEnumerator() => this;

    public ReadOnlySpan<byte> Current { readonly get; private set; }

    public bool MoveNext()
    {
        while (_position < _fields.Length)
        {
            var start = _position;
            ProtoWire.TryReadVarint(_fields, ref _position, out var tag);
            if (tag == RemoteWriteReader.LabelsTag)
            {
                ProtoWire.TryReadLengthDelimited(_fields, ref _position, out _);
                Current = _fields[start.._position];
                return true;
            }
            ProtoWire.TrySkip(_fields, ref _position, tag);
        }
        return false;
    }
}
