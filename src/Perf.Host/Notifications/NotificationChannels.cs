using Perf.Actors.Configuration;
using Perf.Actors.Notifications;

namespace Perf.Host.Notifications;

/// <summary>Makes the configured channels (<see cref="NotificationChannelSettings.ReadAll"/>).</summary>
public static class NotificationChannels
{
    /// <param name="http">shared by the HTTP channels; each attempt is bounded by its channel's own timeout.</param>
    public static IReadOnlyList<INotificationChannel> Create(IReadOnlyList<NotificationChannelSettings> settings, HttpClient http) =>
        settings.Select(channel => Create(channel, http)).ToArray();

    public static INotificationChannel Create(NotificationChannelSettings settings, HttpClient http) => settings.Type switch
    {
        WebhookChannel.TypeName => new WebhookChannel(settings.Name, Url(settings), http, settings.Timeout),
        SlackChannel.TypeName => new SlackChannel(settings.Name, Url(settings), http, settings.Timeout),
        AlertmanagerChannel.TypeName => new AlertmanagerChannel(settings.Name, Url(settings), http, settings.Timeout, settings.GeneratorUrl),
        EmailChannel.TypeName => new EmailChannel(
            settings.Name,
            settings.Smtp ?? throw new PerfConfigurationException(settings.Key("smtp_host"), "is missing"),
            settings.Timeout),
        _ => throw new PerfConfigurationException(settings.Key("type"),
            $"'{settings.Type}' is not one of {string.Join(", ", NotificationChannelSettings.Types)}"),
    };

    private static Uri Url(NotificationChannelSettings settings) =>
        settings.Url ?? throw new PerfConfigurationException(settings.Key("url"), "is missing");
}
