using Perf.Host.SelfMonitoring;

namespace Perf.Host;

/// <summary>
/// The free space an embedded node keeps for itself (<c>perf.storage.min_free_space</c>): below it, ingestion is refused
/// (507) and readiness fails, so that snapshots, retention's deletes, alerts and the node's own figures never meet a full
/// disk. Reads go on. On PostgreSQL the data is not in the data directory, so there is no reserve to keep.
/// </summary>
public sealed class StorageReserve(DiskGauge disk, long minFreeBytes, bool applies)
{
    /// <summary>Why writes are refused now, or null when there is room (or the room cannot be measured).</summary>
    public string? Shortage()
    {
        if (!applies || minFreeBytes <= 0 || disk.Read() is not { } space || space.FreeBytes >= minFreeBytes) return null;
        return $"the data directory has {Megabytes(space.FreeBytes)} free, less than perf.storage.min_free_space ({Megabytes(minFreeBytes)})";
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024):0.#} MB";
}
