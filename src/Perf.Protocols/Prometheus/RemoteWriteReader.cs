using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace Perf.Protocols.Prometheus;

/// <summary>
/// Walks a decompressed Prometheus remote write 1.0 <c>WriteRequest</c> (see <see cref="RemoteWriteBody"/>) in place,
/// one <c>TimeSeries</c> at a time, allocating nothing: labels and samples are read straight from the buffer.
/// <para>
/// <see cref="MoveNext"/> validates the whole series it moves to before returning (field tags, wire types of every
/// field this reader knows, lengths, varints and fixed64 values, and the framing of the exemplars, histograms and
/// unknown fields it skips), so everything read from the series afterwards is well-formed; a malformed request throws
/// a <see cref="ProtocolFormatException"/> whose <see cref="ProtocolFormatException.Field"/> names the place, such as
/// <c>timeseries[3].labels[1]</c>. Series before the malformed one have already been returned: a caller that must not
/// act on part of a request collects first and acts once <see cref="MoveNext"/> has returned false.
/// </para>
/// <para>
/// Label bytes are not checked as UTF-8 here, since a receiver that already knows a series (same label bytes) need not
/// check them again: <see cref="ValidateLabelsUtf8"/> does it for the series it has not seen. What the labels mean (a
/// <c>__name__</c>, empty or repeated names) is the caller's to judge too: this reader checks the wire format only.
/// </para>
/// <para>
/// Protobuf allows fields in any order, so labels and samples may interleave; Prometheus writes all labels first. The
/// label fields of a series are then one contiguous region (<see cref="LabelBytes"/>). When they are not,
/// <see cref="LabelsContiguous"/> is false, <see cref="LabelBytes"/> throws, and <see cref="HashLabels"/>,
/// <see cref="LabelBytesEqual"/> and <see cref="CopyLabelBytes"/> work on the label fields concatenated in wire order,
/// so the same label fields give the same hash and bytes whatever lies between them.
/// </para>
/// </summary>
public ref struct RemoteWriteReader
{
    // Field tags (field number << 3 | wire type) as they appear on the wire; every one fits in a single byte.
    internal const ulong TimeseriesTag = 1 << 3 | ProtoWire.LengthDelimited;
    internal const ulong MetadataTag = 3 << 3 | ProtoWire.LengthDelimited;
    internal const ulong LabelsTag = 1 << 3 | ProtoWire.LengthDelimited;
    internal const ulong SamplesTag = 2 << 3 | ProtoWire.LengthDelimited;
    internal const ulong ExemplarsTag = 3 << 3 | ProtoWire.LengthDelimited;
    internal const ulong HistogramsTag = 4 << 3 | ProtoWire.LengthDelimited;
    internal const ulong LabelNameTag = 1 << 3 | ProtoWire.LengthDelimited;
    internal const ulong LabelValueTag = 2 << 3 | ProtoWire.LengthDelimited;
    internal const ulong SampleValueTag = 1 << 3 | ProtoWire.Fixed64;
    internal const ulong SampleTimestampTag = 2 << 3 | ProtoWire.Varint;

    /// <summary>Label regions up to this size are concatenated on the stack for hashing when they are not contiguous.</summary>
    private const int StackLabelBytes = 512;

    private readonly ReadOnlySpan<byte> _request;
    private int _position;
    private int _metadata;
    private ReadOnlySpan<byte> _series;
    private int _labelsStart;
    private int _labelsEnd;
    private int _samplesStart;

    public RemoteWriteReader(ReadOnlySpan<byte> request)
    {
        _request = request;
        Index = -1;
        LabelsContiguous = true;
    }

    /// <summary>The position of the current series among the request's <c>timeseries</c> (0 for the first).</summary>
    public int Index { readonly get; private set; }

    /// <summary>How many <c>Label</c> messages the current series has.</summary>
    public int LabelCount { readonly get; private set; }

    /// <summary>How many <c>Sample</c> messages the current series has.</summary>
    public int SampleCount { readonly get; private set; }

    /// <summary>Whether the label fields of the current series are one region with nothing else between them.</summary>
    public bool LabelsContiguous { readonly get; private set; }

    /// <summary>The label fields' bytes (tags, lengths and <c>Label</c> messages) concatenated in wire order.</summary>
    public int LabelBytesLength { readonly get; private set; }

    /// <summary>
    /// The raw label fields of the current series (tags, lengths and <c>Label</c> messages) in wire order: a key that
    /// identifies the series' label set as sent. Only when <see cref="LabelsContiguous"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The label fields are not contiguous.</exception>
    public readonly ReadOnlySpan<byte> LabelBytes => LabelsContiguous
        ? _series[_labelsStart.._labelsEnd]
        : throw new InvalidOperationException($"the labels of timeseries[{Index}] are interleaved with other fields: use CopyLabelBytes");

    /// <summary>The labels of the current series, in wire order.</summary>
    public readonly RemoteWriteLabels Labels => new(LabelsContiguous ? _series[_labelsStart.._labelsEnd] : _series[_labelsStart..]);

    /// <summary>The samples of the current series, in wire order.</summary>
    public readonly RemoteWriteSamples Samples => new(_series[_samplesStart..]);

    /// <summary>
    /// XxHash3 of the current series' label bytes (see <see cref="LabelBytes"/>): equal label bytes give equal hashes,
    /// so a receiver can find a series it knows and confirm with <see cref="LabelBytesEqual"/>. The same label set sent
    /// with other bytes (another label order, an unknown field) hashes differently: a miss, never a wrong match.
    /// </summary>
    /// <param name="seed">A per-process random seed keeps a sender from choosing label sets that collide.</param>
    public readonly ulong HashLabels(long seed = 0)
    {
        if (LabelsContiguous) return XxHash3.HashToUInt64(_series[_labelsStart.._labelsEnd], seed);
        byte[]? rented = null;
        var concatenated = LabelBytesLength <= StackLabelBytes
            ? stackalloc byte[StackLabelBytes]
            : rented = ArrayPool<byte>.Shared.Rent(LabelBytesLength);
        try
        {
            CopyLabelBytes(concatenated);
            return XxHash3.HashToUInt64(concatenated[..LabelBytesLength], seed);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Whether the current series' label bytes (concatenated in wire order) are exactly <paramref name="other"/>.</summary>
    public readonly bool LabelBytesEqual(ReadOnlySpan<byte> other)
    {
        if (other.Length != LabelBytesLength) return false;
        if (LabelsContiguous) return _series[_labelsStart.._labelsEnd].SequenceEqual(other);
        var offset = 0;
        foreach (var field in new RemoteWriteLabelFields(_series[_labelsStart..]))
        {
            if (!field.SequenceEqual(other.Slice(offset, field.Length))) return false;
            offset += field.Length;
        }
        return true;
    }

    /// <summary>Copies the current series' label bytes (concatenated in wire order) to <paramref name="destination"/>,
    /// which must hold <see cref="LabelBytesLength"/> bytes: the key to keep for <see cref="LabelBytesEqual"/>.</summary>
    public readonly void CopyLabelBytes(Span<byte> destination)
    {
        if (destination.Length < LabelBytesLength)
            throw new ArgumentException($"holds {destination.Length} bytes, the labels need {LabelBytesLength}", nameof(destination));
        if (LabelsContiguous)
        {
            _series[_labelsStart.._labelsEnd].CopyTo(destination);
            return;
        }
        var offset = 0;
        foreach (var field in new RemoteWriteLabelFields(_series[_labelsStart..]))
        {
            field.CopyTo(destination[offset..]);
            offset += field.Length;
        }
    }

    /// <summary>
    /// Checks that every label name and value of the current series is UTF-8, as Prometheus requires; a receiver needs
    /// to only for a series it has not seen (same label bytes, same answer).
    /// </summary>
    /// <exception cref="ProtocolFormatException">Field <c>timeseries[i].labels[j]</c>: "is not valid UTF-8".</exception>
    public readonly void ValidateLabelsUtf8()
    {
        var j = 0;
        foreach (var label in Labels)
        {
            if (!Utf8.IsValid(label.Name) || !Utf8.IsValid(label.Value))
                throw new ProtocolFormatException(Place(Index, "labels", j), "is not valid UTF-8");
            j++;
        }
    }

    /// <summary>
    /// Moves to the next <c>TimeSeries</c> (skipping <c>metadata</c> and unknown fields of the request) and validates
    /// it; false at the end of the request.
    /// </summary>
    /// <exception cref="ProtocolFormatException">The request or the series is malformed.</exception>
    public bool MoveNext()
    {
        var request = _request;
        var p = _position;
        while (p < request.Length)
        {
            var start = p;
            if (!ProtoWire.TryReadVarint(request, ref p, out var tag))
                Fail("body", $"has a field tag at byte {start} that " + ProtoWire.DescribeBadVarint(request, start));
            if (tag == TimeseriesTag)
            {
                if (ProtoWire.TryReadLengthDelimited(request, ref p, out var series) is { } framing)
                    Fail($"timeseries[{Index + 1}]", framing);
                _position = p;
                Index++;
                Scan(series);
                return true;
            }
            if (ProtoWire.CheckTag(tag) is { } badTag) Fail("body", $"at byte {start} " + badTag);
            if (tag >> 3 == 1) Fail($"timeseries[{Index + 1}]", WrongWireType(tag, ProtoWire.LengthDelimited));
            if (tag >> 3 == 3)
            {
                // Metric metadata (type, help, unit) is not stored; only its framing must hold.
                if (tag != MetadataTag) Fail($"metadata[{_metadata}]", WrongWireType(tag, ProtoWire.LengthDelimited));
                if (ProtoWire.TryReadLengthDelimited(request, ref p, out _) is { } metadataFraming) Fail($"metadata[{_metadata}]", metadataFraming);
                _metadata++;
                continue;
            }
            if (ProtoWire.TrySkip(request, ref p, tag) is { } unknown) Fail("body", unknown);
        }
        _position = p;
        _series = default;
        _labelsStart = _labelsEnd = _samplesStart = 0;
        LabelCount = SampleCount = LabelBytesLength = 0;
        LabelsContiguous = true;
        return false;
    }

    /// <summary>One pass over the series: validates it and records where its labels and samples are.</summary>
    private void Scan(ReadOnlySpan<byte> series)
    {
        int labels = 0, samples = 0, exemplars = 0, histograms = 0;
        int labelsStart = -1, labelsEnd = 0, labelBytes = 0, samplesStart = -1;
        var contiguous = true;
        var p = 0;
        while (p < series.Length)
        {
            var start = p;
            if (!ProtoWire.TryReadVarint(series, ref p, out var tag))
                Fail(Place(Index), $"has a field tag at byte {start} that " + ProtoWire.DescribeBadVarint(series, start));
            switch (tag)
            {
                case LabelsTag:
                    if ((ProtoWire.TryReadLengthDelimited(series, ref p, out var label) ?? CheckLabel(label)) is { } labelError)
                        Fail(Place(Index, "labels", labels), labelError);
                    if (labelsStart < 0) labelsStart = start;
                    else if (start != labelsEnd) contiguous = false;
                    labelsEnd = p;
                    labelBytes += p - start;
                    labels++;
                    break;
                case SamplesTag:
                    if ((ProtoWire.TryReadLengthDelimited(series, ref p, out var sample) ?? CheckSample(sample)) is { } sampleError)
                        Fail(Place(Index, "samples", samples), sampleError);
                    if (samplesStart < 0) samplesStart = start;
                    samples++;
                    break;
                case ExemplarsTag:
                    // Exemplars and native histograms are not stored; only their framing must hold.
                    if (ProtoWire.TryReadLengthDelimited(series, ref p, out _) is { } exemplarError)
                        Fail(Place(Index, "exemplars", exemplars), exemplarError);
                    exemplars++;
                    break;
                case HistogramsTag:
                    if (ProtoWire.TryReadLengthDelimited(series, ref p, out _) is { } histogramError)
                        Fail(Place(Index, "histograms", histograms), histogramError);
                    histograms++;
                    break;
                default:
                    if (ProtoWire.CheckTag(tag) is { } badTag) Fail(Place(Index), $"at byte {start} " + badTag);
                    switch (tag >> 3)
                    {
                        case 1: Fail(Place(Index, "labels", labels), WrongWireType(tag, ProtoWire.LengthDelimited)); break;
                        case 2: Fail(Place(Index, "samples", samples), WrongWireType(tag, ProtoWire.LengthDelimited)); break;
                        case 3: Fail(Place(Index, "exemplars", exemplars), WrongWireType(tag, ProtoWire.LengthDelimited)); break;
                        case 4: Fail(Place(Index, "histograms", histograms), WrongWireType(tag, ProtoWire.LengthDelimited)); break;
                    }
                    if (ProtoWire.TrySkip(series, ref p, tag) is { } unknown) Fail(Place(Index), unknown);
                    break;
            }
        }
        _series = series;
        _labelsStart = Math.Max(labelsStart, 0);
        _labelsEnd = labelsEnd;
        _samplesStart = samplesStart < 0 ? series.Length : samplesStart;
        LabelCount = labels;
        SampleCount = samples;
        LabelBytesLength = labelBytes;
        LabelsContiguous = contiguous;
    }

    /// <summary>A <c>Label</c> message: null, or what is wrong with it.</summary>
    private static string? CheckLabel(ReadOnlySpan<byte> label)
    {
        if (IsPlainLabel(label)) return null;
        var p = 0;
        while (p < label.Length)
        {
            var start = p;
            if (!ProtoWire.TryReadVarint(label, ref p, out var tag)) return "has a field tag that " + ProtoWire.DescribeBadVarint(label, start);
            if (tag == LabelNameTag)
            {
                if (ProtoWire.TryReadLengthDelimited(label, ref p, out _) is { } error) return "name (field 1) " + error;
            }
            else if (tag == LabelValueTag)
            {
                if (ProtoWire.TryReadLengthDelimited(label, ref p, out _) is { } error) return "value (field 2) " + error;
            }
            else if (ProtoWire.CheckTag(tag) is { } badTag) return badTag;
            else if (tag >> 3 == 1) return "name (field 1) " + WrongWireType(tag, ProtoWire.LengthDelimited);
            else if (tag >> 3 == 2) return "value (field 2) " + WrongWireType(tag, ProtoWire.LengthDelimited);
            else if (ProtoWire.TrySkip(label, ref p, tag) is { } unknown) return unknown;
        }
        return null;
    }

    /// <summary>A <c>Sample</c> message: null, or what is wrong with it.</summary>
    private static string? CheckSample(ReadOnlySpan<byte> sample)
    {
        if (IsPlainSample(sample)) return null;
        var p = 0;
        while (p < sample.Length)
        {
            var start = p;
            if (!ProtoWire.TryReadVarint(sample, ref p, out var tag)) return "has a field tag that " + ProtoWire.DescribeBadVarint(sample, start);
            if (tag == SampleValueTag)
            {
                if (!ProtoWire.TryReadFixed64(sample, ref p, out _)) return $"value (field 1) is truncated: a double needs 8 bytes, {sample.Length - p} left";
            }
            else if (tag == SampleTimestampTag)
            {
                if (!ProtoWire.TryReadVarint(sample, ref p, out _)) return "timestamp (field 2) " + ProtoWire.DescribeBadVarint(sample, p);
            }
            else if (ProtoWire.CheckTag(tag) is { } badTag) return badTag;
            else if (tag >> 3 == 1) return "value (field 1) " + WrongWireType(tag, ProtoWire.Fixed64);
            else if (tag >> 3 == 2) return "timestamp (field 2) " + WrongWireType(tag, ProtoWire.Varint);
            else if (ProtoWire.TrySkip(sample, ref p, tag) is { } unknown) return unknown;
        }
        return null;
    }

    /// <summary>
    /// A label as Prometheus writes it: name then value, each under 128 bytes (one-byte lengths). Checked with a few
    /// comparisons, where the general loop reads four varints; anything else takes the general loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsPlainLabel(ReadOnlySpan<byte> label)
    {
        if (label.Length < 4 || label[0] != LabelNameTag) return false;
        var name = label[1];
        return name < 0x80 && label.Length >= 4 + name && label[2 + name] == LabelValueTag && label[3 + name] == label.Length - 4 - name;
    }

    /// <summary>A sample as Prometheus writes it: the value, then the timestamp ending the message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsPlainSample(ReadOnlySpan<byte> sample)
    {
        if (sample.Length < 11 || sample[0] != SampleValueTag || sample[9] != SampleTimestampTag) return false;
        var p = 10;
        return ProtoWire.TryReadVarint(sample, ref p, out _) && p == sample.Length;
    }

    private static string WrongWireType(ulong tag, int expected) =>
        $"has wire type {ProtoWire.WireTypeName(tag)}, expected {ProtoWire.WireTypeName((ulong)expected)}";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Place(int series) => $"timeseries[{series}]";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Place(int series, string field, int index) => $"timeseries[{series}].{field}[{index}]";

    [DoesNotReturn]
    private static void Fail(string field, string message) => throw new ProtocolFormatException(field, message);

}
