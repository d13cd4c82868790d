using Perf.Actors.Telemetry;

namespace Perf.Host.SelfMonitoring;

/// <summary>
/// The data directory's free space for the disk gauges: measured at most once a second (both gauges of a scrape share
/// it, and a quota means walking the directory), and none when it cannot be measured right now (a restore replacing the
/// directory, a file system gone) rather than an error in the middle of a scrape.
/// </summary>
public sealed class DiskGauge(string dataDirectory, long quotaBytes)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private (DateTime At, DiskSpace? Space) _last = (DateTime.MinValue, null);

    public DiskSpace? Read()
    {
        lock (_lock)
        {
            if (DateTime.UtcNow - _last.At < Fresh) return _last.Space;
            DiskSpace? space;
            try
            {
                space = DiskSpace.Of(dataDirectory, quotaBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                space = null;
            }
            _last = (DateTime.UtcNow, space);
            return space;
        }
    }
}
