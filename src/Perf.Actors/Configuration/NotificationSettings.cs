using Perf.Actors.Notifications;

namespace Perf.Actors.Configuration;

/// <summary>
/// The document's <c>monitoring.alerts</c> (enabled, channels, notification_delay) with <c>perf.notifications</c>:
/// when the dispatcher notifies and which channels it uses.
/// </summary>
public sealed record NotificationSettings(bool Enabled, IReadOnlyList<string> Channels, NotificationPolicy Policy)
{
    public static NotificationSettings Read(ConfigReader config, MonitoringSettings monitoring)
    {
        var initial = config.Duration("perf.notifications.retry.initial", TimeSpan.FromMilliseconds(10));
        var max = config.Duration("perf.notifications.retry.max", initial);
        return new NotificationSettings(
            monitoring.AlertsEnabled,
            monitoring.AlertChannels,
            new NotificationPolicy(
                monitoring.NotificationDelay,
                config.Duration("perf.notifications.repeat_interval", TimeSpan.FromSeconds(1)),
                initial,
                max,
                config.Int("perf.notifications.retry.attempts", 1, 1000)));
    }
}
