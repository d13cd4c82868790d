namespace Perf.Actors.Notifications;

/// <summary>Questions to the <see cref="NotificationDispatcher"/> singleton (from any node).</summary>
public static class NotificationProtocol
{
    /// <summary>Answered with <see cref="NotificationsView"/>.</summary>
    public sealed record GetNotifications : IPerfMessage
    {
        public static readonly GetNotifications Instance = new();
    }

    /// <param name="Deliveries">pending and recent deliveries, newest first.</param>
    /// <param name="Channels">the channels in use, by name and type ("slack:slack", "ops:webhook").</param>
    /// <param name="Offset">how far the dispatcher has read the alert log.</param>
    public sealed record NotificationsView(Delivery[] Deliveries, string[] Channels, long Offset) : IPerfMessage;
}
