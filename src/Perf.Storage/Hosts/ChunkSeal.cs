namespace Perf.Storage.Hosts;

/// <summary>A series' head points up to <paramref name="LastMs"/> became sealed chunk <paramref name="Sequence"/>.</summary>
public readonly record struct ChunkSeal(long Sequence, long FirstMs, long LastMs, int PointCount, int ByteCount);
