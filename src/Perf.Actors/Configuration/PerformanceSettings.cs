namespace Perf.Actors.Configuration;

/// <summary>The product document's <c>performance</c> section.</summary>
public sealed record PerformanceSettings(
    bool Enabled,
    TimeSpan CollectionInterval,
    TimeSpan RetentionPeriod,
    IReadOnlyList<string> SystemMetrics,
    IReadOnlyList<string> ApplicationMetrics,
    AnalysisSettings Analysis)
{
    public static PerformanceSettings Read(ConfigReader config) => new(
        config.Bool("performance.enabled"),
        config.Duration("performance.collection_interval", TimeSpan.FromMilliseconds(1)),
        config.Duration("performance.retention_period", TimeSpan.FromMinutes(1)),
        config.StringList("performance.metrics.system"),
        config.StringList("performance.metrics.application"),
        AnalysisSettings.Read(config));
}

/// <summary><c>performance.analysis</c>.</summary>
public sealed record AnalysisSettings(bool Enabled, double Sensitivity, int MinDataPoints, TimeSpan TrendWindow, double TrendMinConfidence)
{
    public static AnalysisSettings Read(ConfigReader config) => new(
        config.Bool("performance.analysis.enabled"),
        config.Double("performance.analysis.anomaly_detection.sensitivity", 0, 1),
        config.Int("performance.analysis.anomaly_detection.min_data_points", 1),
        config.Duration("performance.analysis.trend_analysis.window_size", TimeSpan.FromMinutes(1)),
        config.Double("performance.analysis.trend_analysis.min_confidence", 0, 1));
}
