namespace Perf.Actors.Configuration;

/// <summary>
/// <c>perf.self_monitoring</c>: every <see cref="Interval"/>, each node writes its own figures as series of the reserved
/// host <see cref="Host"/>, where the system alert rules (<see cref="Alerts.SystemRules"/>) watch them.
/// </summary>
/// <param name="DiskQuotaBytes">0: the data directory may fill its file system; otherwise the most it may use.</param>
/// <param name="FailureWindow">how long one failure keeps its system alert firing (long enough to pass the notification delay).</param>
public sealed record SelfMonitoringSettings(bool Enabled, TimeSpan Interval, long DiskQuotaBytes, TimeSpan FailureWindow)
{
    public const string Host = "perf-system";

    public static SelfMonitoringSettings Read(ConfigReader config) => new(
        config.Bool("perf.self_monitoring.enabled"),
        config.Duration("perf.self_monitoring.interval", TimeSpan.FromMilliseconds(100)),
        config.Bytes("perf.self_monitoring.disk_quota", 0),
        config.Duration("perf.self_monitoring.failure_window", TimeSpan.FromSeconds(1)));
}
