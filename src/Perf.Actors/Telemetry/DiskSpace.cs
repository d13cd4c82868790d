namespace Perf.Actors.Telemetry;

/// <summary>Room left for the data directory: on its file system, or under a configured quota when that leaves fewer bytes.</summary>
public sealed record DiskSpace(long FreeBytes, long TotalBytes)
{
    public double FreeRatio => TotalBytes <= 0 ? 0 : Math.Clamp((double)FreeBytes / TotalBytes, 0, 1);

    /// <param name="quotaBytes">0 for none; otherwise the data directory may use at most this many bytes.</param>
    public static DiskSpace Of(string dataDirectory, long quotaBytes)
    {
        var drive = new DriveInfo(Path.GetFullPath(dataDirectory));
        var space = new DiskSpace(drive.AvailableFreeSpace, drive.TotalSize);
        if (quotaBytes <= 0) return space;
        var used = new DirectoryInfo(dataDirectory)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Sum(f => f.Length);
        var underQuota = new DiskSpace(Math.Max(0, quotaBytes - used), quotaBytes);
        return underQuota.FreeBytes < space.FreeBytes ? underQuota : space;
    }
}
