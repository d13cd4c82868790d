namespace Perf.Protocols.Prometheus;

/// <summary>
/// One <c>Label</c> of a series as the wire carries it: name and value are slices of the decompressed request, not
/// checked as UTF-8 (see <see cref="RemoteWriteReader.ValidateLabelsUtf8"/>). A field the message leaves out is empty,
/// as protobuf's defaults say.
/// </summary>
public readonly ref struct RemoteWriteLabel(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
{
    public ReadOnlySpan<byte> Name { get; } = name;

    public ReadOnlySpan<byte> Value { get; } = value;
}
