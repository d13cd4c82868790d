using System.Text.Json;
using Perf.Actors.Notifications;

namespace Perf.Host.Notifications;

/// <summary>
/// POSTs each notification as JSON to a URL of the user's own service:
/// <c>{"version":"1","id","group_key","status","created_at","alerts":[…]}</c>, alerts as <see cref="NotificationText.AlertJson"/>.
/// A receiver can drop a repeat of an <c>id</c> it has already seen.
/// </summary>
public sealed class WebhookChannel(string name, Uri url, HttpClient http, TimeSpan timeout) : INotificationChannel
{
    public const string TypeName = "webhook";

    /// <summary>Bumped when a field changes meaning or goes away, so that receivers can tell.</summary>
    public const string PayloadVersion = "1";

    public string Name { get; } = name;

    public string Type => TypeName;

    public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
        JsonDelivery.PostAsync(http, url, Payload(notification), $"webhook channel '{Name}'", timeout, cancellationToken);

    private static string Payload(Notification notification) => JsonSerializer.Serialize(new
    {
        version = PayloadVersion,
        id = notification.Id,
        group_key = notification.GroupKey,
        status = NotificationText.Status(notification.Kind),
        created_at = NotificationText.Time(notification.CreatedMs),
        alerts = notification.Alerts.Select(NotificationText.AlertJson),
    });
}
