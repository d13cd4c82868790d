using System.Text.Json;
using System.Text.Json.Serialization;
using Perf.Actors.Alerts;
using Perf.Actors.Notifications;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Host.Notifications;

/// <summary>
/// Hands alerts to Prometheus Alertmanager (<c>POST /api/v2/alerts</c>), which then groups, silences and routes them
/// like any Prometheus alert. Alertmanager knows an alert by its labels, so the resolution of an alert carries exactly
/// the labels it fired with and ends it.
/// </summary>
public sealed class AlertmanagerChannel(string name, Uri baseUrl, HttpClient http, TimeSpan timeout, Uri? generatorUrl = null) : INotificationChannel
{
    public const string TypeName = "alertmanager";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    // Behind a route prefix the base URL has a path (http://proxy/alertmanager/); the API lives under it.
    private readonly Uri _alertsUrl = new(baseUrl.AbsoluteUri.TrimEnd('/') + "/api/v2/alerts");

    public string Name { get; } = name;

    public string Type => TypeName;

    public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
        JsonDelivery.PostAsync(http, _alertsUrl, Payload(notification), $"alertmanager channel '{Name}'", timeout, cancellationToken);

    private string Payload(Notification notification) =>
        JsonSerializer.Serialize(notification.Alerts.Select(PostableAlert), Json);

    private object PostableAlert(AlertTransitioned alert) => new
    {
        labels = new Dictionary<string, string>
        {
            ["alertname"] = alert.RuleId,
            ["host"] = alert.Host,
            ["metric"] = alert.Metric,
            ["severity"] = NotificationText.Name(alert.Severity),
            ["alert_id"] = alert.AlertId,
        },
        annotations = new Dictionary<string, string>
        {
            ["summary"] = NotificationText.AlertSummary(alert),
            ["description"] = NotificationText.AlertLine(alert),
            ["value"] = NotificationText.Number(alert.Value),
            ["threshold"] = NotificationText.Number(alert.Threshold),
        },
        // Alertmanager keeps the earliest startsAt it was given for an alert, so a resolution (which only knows when it
        // resolved) does not move the start of the alert it ends.
        startsAt = NotificationText.Time(alert.TimestampMs),
        // An active alert goes without endsAt: Alertmanager ends it by itself after its resolve_timeout (5m by default)
        // unless the alert is sent again, so repeats to Alertmanager must come more often than that.
        endsAt = HasEnded(alert.To) ? NotificationText.Time(alert.TimestampMs) : null,
        generatorURL = generatorUrl?.AbsoluteUri,
    };

    private static bool HasEnded(AlertState state) => state is AlertState.Resolved or AlertState.Inactive;
}
