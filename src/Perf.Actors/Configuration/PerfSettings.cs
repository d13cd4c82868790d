using Akka.Configuration;

namespace Perf.Actors.Configuration;

/// <summary>All of Perf's configuration, read and validated once at start-up.</summary>
public sealed record PerfSettings(
    PerformanceSettings Performance,
    MonitoringSettings Monitoring,
    OptimizationSettings Optimization,
    EngineSettings Engine,
    AlertSettings Alerts,
    NotificationSettings Notifications,
    SecuritySettings Security,
    ProtocolSettings Protocols,
    LoadTestSettings LoadTest,
    DashboardSettings Dashboard,
    SelfMonitoringSettings SelfMonitoring)
{
    /// <exception cref="PerfConfigurationException">naming the first invalid key.</exception>
    public static PerfSettings FromConfig(Config config)
    {
        var reader = new ConfigReader(config);
        var monitoring = MonitoringSettings.Read(reader);
        var selfMonitoring = SelfMonitoringSettings.Read(reader);
        return new PerfSettings(
            PerformanceSettings.Read(reader),
            monitoring,
            OptimizationSettings.Read(reader),
            EngineSettings.Read(reader),
            AlertSettings.Read(reader, monitoring, selfMonitoring),
            NotificationSettings.Read(reader, monitoring),
            SecuritySettings.Read(reader),
            ProtocolSettings.Read(reader),
            LoadTestSettings.Read(reader),
            DashboardSettings.Read(reader),
            selfMonitoring);
    }
}
