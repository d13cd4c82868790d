namespace Perf.Storage.Hosts;

/// <summary>
/// The kinds of entry a host log record holds (<see cref="HostRecordWriter"/> has the layout). Frozen: a stored kind
/// never changes meaning; new kinds get new numbers, and a reader skips kinds it does not know only where the layout
/// says it may (none today: every kind changes the host's state, so an unknown one fails the replay loudly).
/// </summary>
public enum RecordEntryKind : byte
{
    /// <summary>New series of the host, appended to its series list in order (their indexes follow the last one).</summary>
    SeriesAdded = 1,

    /// <summary>Accepted points: series index, timestamp, value each, in the order the host applied them.</summary>
    Points = 2,

    /// <summary>One detector finding about a point of one series.</summary>
    Finding = 3,

    /// <summary>A series' oldest settled head points were written as one sealed chunk (in the same transaction).</summary>
    ChunkSealed = 4,

    /// <summary>Retention dropped whole chunks of a series; the totals of the chunks left (absolute).</summary>
    ChunksRetained = 5,
}
