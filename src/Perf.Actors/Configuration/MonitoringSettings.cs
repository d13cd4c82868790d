namespace Perf.Actors.Configuration;

/// <summary>The product document's <c>monitoring</c> section. Duration thresholds (response_time) are in milliseconds.</summary>
public sealed record MonitoringSettings(
    IReadOnlyDictionary<string, ThresholdSettings> Thresholds,
    bool AlertsEnabled,
    IReadOnlyList<string> AlertChannels,
    TimeSpan NotificationDelay)
{
    public static MonitoringSettings Read(ConfigReader config)
    {
        var thresholds = new Dictionary<string, ThresholdSettings>();
        foreach (var name in config.Children("monitoring.thresholds"))
        {
            var warning = config.NumberOrMilliseconds($"monitoring.thresholds.{name}.warning");
            var critical = config.NumberOrMilliseconds($"monitoring.thresholds.{name}.critical");
            if (critical < warning)
                throw new PerfConfigurationException($"monitoring.thresholds.{name}.critical", $"{critical} is below the warning level {warning}");
            thresholds[name] = new ThresholdSettings(warning, critical);
        }
        return new MonitoringSettings(
            thresholds,
            config.Bool("monitoring.alerts.enabled"),
            config.StringList("monitoring.alerts.channels"),
            config.Duration("monitoring.alerts.notification_delay", TimeSpan.Zero));
    }
}

public sealed record ThresholdSettings(double Warning, double Critical);
