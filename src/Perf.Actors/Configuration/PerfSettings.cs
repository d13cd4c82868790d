using Akka.Configuration;

namespace Perf.Actors.Configuration;

/// <summary>All of Perf's configuration, read and validated once at start-up.</summary>
public sealed record PerfSettings(
    PerformanceSettings Performance,
    MonitoringSettings Monitoring,
    OptimizationSettings Optimization,
    EngineSettings Engine)
{
    /// <exception cref="PerfConfigurationException">naming the first invalid key.</exception>
    public static PerfSettings FromConfig(Config config)
    {
        var reader = new ConfigReader(config);
        return new PerfSettings(
            PerformanceSettings.Read(reader),
            MonitoringSettings.Read(reader),
            OptimizationSettings.Read(reader),
            EngineSettings.Read(reader));
    }
}
