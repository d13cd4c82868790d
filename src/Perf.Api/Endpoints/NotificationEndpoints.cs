using Akka.Actor;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Host;
using static Perf.Actors.Notifications.NotificationProtocol;

namespace Perf.Api.Endpoints;

/// <summary>What the notification dispatcher has sent where, and how each delivery went.</summary>
public static class NotificationEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/notifications", async (string? status, string? channel, HttpContext context, PerfEngine engine) =>
        {
            var caller = Caller.From(context)!;
            string[] statuses = ["pending", "delivered", "failed"];
            if (status is not null && !statuses.Contains(status)) return Problems.Invalid("status", $"must be one of {string.Join(", ", statuses)}");
            var view = await engine.Notifications.Ask<NotificationsView>(GetNotifications.Instance, AskTimeout);
            var active = view.Channels.Select(c => c.Split(':')[0]).ToHashSet();
            var deliveries = view.Deliveries
                .Where(d => status is null || ApiJson.Name(d.Status) == status)
                .Where(d => channel is null || d.Channel == channel)
                .Where(d => d.Notification.Alerts.All(a => caller.CanAccess(a.Host))) // a host-scoped key sees its hosts' only
                .Select(d => new
                {
                    notification_id = d.Notification.Id,
                    group = d.Notification.GroupKey,
                    kind = ApiJson.Name(d.Notification.Kind),
                    channel = d.Channel,
                    status = ApiJson.Name(d.Status),
                    attempts = d.Attempts,
                    last_error = d.LastError,
                    created_at = ApiJson.Time(d.Notification.CreatedMs),
                    updated_at = ApiJson.Time(d.UpdatedMs),
                    alerts = d.Notification.Alerts.Select(a => new { alert_id = a.AlertId, host = a.Host, metric = a.Metric, state = ApiJson.Name(a.To), severity = ApiJson.Name(a.Severity) }),
                })
                .ToArray();
            return Results.Json(new
            {
                enabled = engine.Settings.Notifications.Enabled,
                channels = view.Channels.Select(c => new { name = c.Split(':')[0], type = c.Split(':')[1] }),
                // Listed in monitoring.alerts.channels without a definition under perf.notifications.channels.
                not_configured = engine.Settings.Notifications.Channels.Where(c => !active.Contains(c)).ToArray(),
                log_offset = view.Offset,
                deliveries,
                count = deliveries.Length,
            });
        }).RequireArea(Area.Operate);
        return app;
    }

}
