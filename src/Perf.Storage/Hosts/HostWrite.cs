using Perf.Storage.Chunks;

namespace Perf.Storage.Hosts;

/// <summary>
/// One write of a host: its next log record and the chunks that record seals, stored in one transaction, so a chunk
/// is never in the table without the record that drops its points from the head, nor the reverse.
/// </summary>
public sealed record HostWrite(string Host, long SequenceNr, byte[] Payload, IReadOnlyList<StoredChunk> Chunks)
{
    public HostWrite(string host, long sequenceNr, byte[] payload)
        : this(host, sequenceNr, payload, [])
    {
    }
}
