namespace Perf.Actors.Notifications;

/// <summary>One notification to one channel, and how its delivery went.</summary>
public sealed record Delivery(
    Notification Notification,
    string Channel,
    DeliveryStatus Status,
    int Attempts,
    string? LastError,
    long UpdatedMs);
