namespace Perf.Analytics.Compression;

/// <summary>The points of a <see cref="GorillaChunkEncoder"/>, oldest first, read in place: <c>while (points.MoveNext())</c>.</summary>
public ref struct GorillaPoints
{
    private GorillaReader _reader;

    internal GorillaPoints(GorillaReader reader) => _reader = reader;

    public readonly int Count => _reader.Count;

    public readonly long TimestampMs => _reader.TimestampMs;

    public readonly double Value => BitConverter.UInt64BitsToDouble(_reader.ValueBits);

    public readonly DataPoint Current => _reader.Current;

    public bool MoveNext() => _reader.MoveNext();
}
