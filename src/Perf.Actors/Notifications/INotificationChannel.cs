namespace Perf.Actors.Notifications;

/// <summary>
/// Where notifications go: a webhook, Slack, email over SMTP, Prometheus Alertmanager. <see cref="SendAsync"/> completes
/// when the receiver accepted the notification and throws otherwise; the dispatcher retries with backoff.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The channel's name in configuration (<c>monitoring.alerts.channels</c>), e.g. <c>slack</c>.</summary>
    string Name { get; }

    /// <summary>webhook, slack, email or alertmanager.</summary>
    string Type { get; }

    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}
