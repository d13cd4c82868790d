namespace Perf.Actors.Notifications;

public enum DeliveryStatus
{
    /// <summary>Queued or being retried.</summary>
    Pending = 0,

    Delivered = 1,

    /// <summary>Given up after the last retry.</summary>
    Failed = 2,
}
