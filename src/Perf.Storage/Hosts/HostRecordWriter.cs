using Perf.Storage.Codecs;

namespace Perf.Storage.Hosts;

/// <summary>
/// Writes one host log record: what one write of a host changed, as entries (<see cref="RecordEntryKind"/>). Reused by
/// its host from record to record (<see cref="Reset"/>), so a write allocates nothing here.
/// </summary>
/// <remarks>
/// Layout (all integers varints, signed ones zigzag varints, doubles 8 bytes little-endian, strings length-prefixed UTF-8):
/// <code>
/// record         := version:byte(2) entryCount:int32-le entry*
/// entry          := kind:byte bodyLength:int32-le body
/// SeriesAdded    := count name*
/// Points         := (series timestampDelta value)*            timestampDelta from the entry's previous point (the first from 0)
/// Finding        := series timestamp value detector kind score pValue martingale
/// ChunkSealed    := series sequence firstMs lastMs pointCount byteCount
/// ChunksRetained := series cutoffMs chunkCount byteCount pointCount oldestFirstMs
/// </code>
/// A point takes about 10 bytes (1 for a series index under 128, 1 for a timestamp shared with the previous point, 8 for
/// the value): records are short-lived, so they are kept simple rather than small (sealed chunks are the compact form).
/// The entry count makes a record cut short at an entry boundary fail to read instead of reading as the entries before
/// the cut. Version 1 (written only by 6fecdce) had no count: its entries run to the end of the record.
/// </remarks>
public sealed class HostRecordWriter : IDisposable
{
    public const byte Version = 2;

    /// <summary>The version byte and the entry count.</summary>
    internal const int HeaderLength = 5;

    private readonly ByteWriter _bytes = new();
    private int _openEntryAt = -1;
    private int _entryCount;
    private long _lastTimestampMs;

    public HostRecordWriter() => Reset();

    public bool IsEmpty => _bytes.Length == HeaderLength;

    /// <summary>Points written since <see cref="Reset"/>.</summary>
    public int PointCount { get; private set; }

    public void Reset()
    {
        _bytes.Reset();
        _bytes.Byte(Version);
        _bytes.Reserve(4); // the entry count, filled in when the record is read out
        _openEntryAt = -1;
        _entryCount = 0;
        PointCount = 0;
    }

    public void Point(int series, long timestampMs, double value)
    {
        // Every other kind of entry is closed as soon as it is written: an open entry is a run of points.
        if (_openEntryAt < 0)
        {
            Open(RecordEntryKind.Points);
            _lastTimestampMs = 0;
        }
        _bytes.Varint((ulong)series);
        _bytes.ZigZag(unchecked(timestampMs - _lastTimestampMs));
        _bytes.Double(value);
        _lastTimestampMs = timestampMs;
        PointCount++;
    }

    public void SeriesAdded(IReadOnlyList<string> names)
    {
        Open(RecordEntryKind.SeriesAdded);
        _bytes.Varint((ulong)names.Count);
        foreach (var name in names) _bytes.String(name);
        Close();
    }

    public void Finding(int series, StoredFinding finding)
    {
        Open(RecordEntryKind.Finding);
        _bytes.Varint((ulong)series);
        _bytes.ZigZag(finding.TimestampMs);
        _bytes.Double(finding.Value);
        _bytes.String(finding.Detector);
        _bytes.String(finding.Kind);
        _bytes.Double(finding.Score);
        _bytes.Double(finding.PValue);
        _bytes.Double(finding.Martingale);
        Close();
    }

    public void ChunkSealed(int series, ChunkSeal seal)
    {
        Open(RecordEntryKind.ChunkSealed);
        _bytes.Varint((ulong)series);
        _bytes.Varint(seal.Sequence);
        _bytes.ZigZag(seal.FirstMs);
        _bytes.ZigZag(seal.LastMs);
        _bytes.Varint((ulong)seal.PointCount);
        _bytes.Varint((ulong)seal.ByteCount);
        Close();
    }

    public void ChunksRetained(int series, ChunkRetention retention)
    {
        Open(RecordEntryKind.ChunksRetained);
        _bytes.Varint((ulong)series);
        _bytes.ZigZag(retention.CutoffMs);
        _bytes.Varint((ulong)retention.ChunkCount);
        _bytes.Varint(retention.ByteCount);
        _bytes.Varint(retention.PointCount);
        _bytes.ZigZag(retention.OldestFirstMs);
        Close();
    }

    /// <summary>The record so far.</summary>
    public ReadOnlySpan<byte> Written
    {
        get
        {
            Finish();
            return _bytes.Written;
        }
    }

    public byte[] ToArray()
    {
        Finish();
        return _bytes.ToArray();
    }

    public void Dispose() => _bytes.Dispose();

    private void Open(RecordEntryKind kind)
    {
        Close();
        _entryCount++;
        _openEntryAt = _bytes.Reserve(5);
        _bytes.Patch(_openEntryAt, 1)[0] = (byte)kind;
    }

    private void Close()
    {
        if (_openEntryAt < 0) return;
        var bodyLength = _bytes.Length - _openEntryAt - 5;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_bytes.Patch(_openEntryAt + 1, 4), bodyLength);
        _openEntryAt = -1;
    }

    private void Finish()
    {
        Close();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_bytes.Patch(1, 4), _entryCount);
    }
}
