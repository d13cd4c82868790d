using System.Buffers.Binary;
using Perf.Storage.Codecs;

namespace Perf.Storage.Hosts;

/// <summary>
/// Reads a host log record written by <see cref="HostRecordWriter"/>, entry by entry. Damaged bytes end in an
/// <see cref="InvalidDataException"/>; an entry kind this version does not know is damage too (every kind changes
/// the host's state, so skipping one would recover a state the host never had).
/// </summary>
public ref struct HostRecordReader
{
    private const string What = "host record";
    private ByteReader _record;
    private ReadOnlySpan<byte> _body;
    // Entries the record says are still to come; -1 for version 1, whose entries run to the end of the record.
    private int _entriesLeft;

    public HostRecordReader(ReadOnlySpan<byte> record)
    {
        _record = new ByteReader(record, What);
        var version = _record.Byte();
        if (version == 1)
        {
            _entriesLeft = -1;
            return;
        }
        if (version != HostRecordWriter.Version) throw _record.Corrupt($"version {version} is not {HostRecordWriter.Version} (nor 1)");
        _entriesLeft = BinaryPrimitives.ReadInt32LittleEndian(_record.Span(4));
        if (_entriesLeft < 0) throw _record.Corrupt($"an entry count of {_entriesLeft}");
    }

    public RecordEntryKind Kind { get; private set; }

    public bool MoveNext()
    {
        if (_entriesLeft == 0)
            return _record.AtEnd ? false : throw _record.Corrupt($"{_record.Remaining} bytes left over after the last entry");
        if (_record.AtEnd) return _entriesLeft < 0 ? false : throw _record.Truncated();
        if (_entriesLeft > 0) _entriesLeft--;
        var kind = (RecordEntryKind)_record.Byte();
        if (!Enum.IsDefined(kind)) throw _record.Corrupt($"entry kind {(byte)kind} is unknown");
        var length = BinaryPrimitives.ReadInt32LittleEndian(_record.Span(4));
        _body = _record.Span(length);
        Kind = kind;
        return true;
    }

    public readonly PointReader Points => Kind == RecordEntryKind.Points ? new PointReader(_body) : throw Wrong(RecordEntryKind.Points);

    public readonly string[] SeriesAdded()
    {
        var body = Body(RecordEntryKind.SeriesAdded);
        var names = new string[body.Count(body.Remaining)];
        for (var i = 0; i < names.Length; i++) names[i] = body.String();
        return End(ref body, names);
    }

    public readonly (int Series, StoredFinding Finding) Finding()
    {
        var body = Body(RecordEntryKind.Finding);
        var finding = (body.Count(), new StoredFinding(body.ZigZag(), body.Double(), body.String(), body.String(), body.Double(), body.Double(), body.Double()));
        return End(ref body, finding);
    }

    public readonly (int Series, ChunkSeal Seal) ChunkSealed()
    {
        var body = Body(RecordEntryKind.ChunkSealed);
        var seal = (body.Count(), new ChunkSeal(body.Int64(), body.ZigZag(), body.ZigZag(), body.Count(), body.Count()));
        return End(ref body, seal);
    }

    public readonly (int Series, ChunkRetention Retention) ChunksRetained()
    {
        var body = Body(RecordEntryKind.ChunksRetained);
        var retention = (body.Count(), new ChunkRetention(body.ZigZag(), body.Count(), body.Int64(), body.Int64(), body.ZigZag()));
        return End(ref body, retention);
    }

    private readonly ByteReader Body(RecordEntryKind kind) => Kind == kind ? new ByteReader(_body, What) : throw Wrong(kind);

    private static T End<T>(ref ByteReader body, T value) =>
        body.AtEnd ? value : throw body.Corrupt($"{body.Remaining} bytes left over after the entry");

    private readonly InvalidOperationException Wrong(RecordEntryKind asked) => new($"The entry is {Kind}, not {asked}");

    /// <summary>The points of a <see cref="RecordEntryKind.Points"/> entry, in the order they were applied.</summary>
    public ref struct PointReader(ReadOnlySpan<byte> body)
    {
        private ByteReader _body = new(body, What);
        private long _timestampMs;

        public int Series { get; private set; }

        public readonly long TimestampMs => _timestampMs;

        public double Value { get; private set; }

        public bool MoveNext()
        {
            if (_body.AtEnd) return false;
            Series = _body.Count();
            _timestampMs = unchecked(_timestampMs + _body.ZigZag());
            Value = _body.Double();
            return true;
        }
    }
}
