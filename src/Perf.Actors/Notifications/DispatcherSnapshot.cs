namespace Perf.Actors.Notifications;

/// <summary>The persisted form of <see cref="DispatchState"/>: the log offset read, the groups and the deliveries.</summary>
public sealed record DispatcherSnapshot(long Offset, NotificationGroup[] Groups, Delivery[] Deliveries) : IPerfMessage;
