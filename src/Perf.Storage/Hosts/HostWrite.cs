using System.Buffers;
using Perf.Storage.Chunks;

namespace Perf.Storage.Hosts;

/// <summary>
/// One write of a host: its next log record and the chunks that record seals, stored in one transaction, so a chunk
/// is never in the table without the record that drops its points from the head, nor the reverse. The writer tells
/// <see cref="Listener"/> how it ended (on its own thread, once): the write path waits on no task.
/// </summary>
public sealed class HostWrite
{
    private byte[] _payload;
    private readonly int _length;
    private readonly bool _pooled;

    /// <param name="payload">the record (<see cref="HostRecordWriter"/>).</param>
    public HostWrite(string host, long sequenceNr, byte[] payload, IReadOnlyList<StoredChunk>? chunks = null)
        : this(host, sequenceNr, payload, payload.Length, pooled: false, chunks, listener: null)
    {
    }

    /// <param name="payload">the record in its first <paramref name="length"/> bytes.</param>
    /// <param name="pooled">the payload was rented from <see cref="ArrayPool{T}.Shared"/>: returned once the write is done.</param>
    public HostWrite(string host, long sequenceNr, byte[] payload, int length, bool pooled, IReadOnlyList<StoredChunk>? chunks, IHostWriteListener? listener)
    {
        Host = host;
        SequenceNr = sequenceNr;
        _payload = payload;
        _length = length;
        _pooled = pooled;
        Chunks = chunks ?? [];
        Listener = listener;
    }

    public string Host { get; }

    public long SequenceNr { get; }

    public ReadOnlySpan<byte> Payload => _payload.AsSpan(0, _length);

    public int PayloadLength => _length;

    public IReadOnlyList<StoredChunk> Chunks { get; }

    public IHostWriteListener? Listener { get; }

    /// <summary>A copy of the payload of its own (for providers that bind arrays whole).</summary>
    internal byte[] PayloadArray() => _length == _payload.Length && !_pooled ? _payload : Payload.ToArray();

    /// <summary>The write is done: the listener is told and a pooled payload goes back to the pool.</summary>
    internal void Done(Exception? error)
    {
        Listener?.Written(this, error);
        if (!_pooled) return;
        var payload = Interlocked.Exchange(ref _payload, []);
        if (payload.Length > 0) ArrayPool<byte>.Shared.Return(payload);
    }
}

/// <summary>Told how a <see cref="HostWrite"/> ended, on the database writer's thread: must not block.</summary>
public interface IHostWriteListener
{
    /// <param name="error">null once the write has committed.</param>
    void Written(HostWrite write, Exception? error);
}
