using Perf.Actors.Alerts;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Notifications;

/// <summary>
/// What the notification dispatcher knows, without Akka or I/O: how far it has read the alert log, the groups of alerts
/// it tracks, and its deliveries (pending ones, and the most recent finished ones for operators).
/// <see cref="Observe"/> reads one log entry, <see cref="Due"/> says which notifications the clock has made due, and the
/// delivery methods record how sending went. Time is the wall clock here: notification delays are about people.
/// </summary>
public sealed class DispatchState
{
    /// <summary>Finished deliveries kept for <c>GET /api/v1/notifications</c>.</summary>
    public const int KeptDeliveries = 500;

    private readonly Dictionary<string, NotificationGroup> _groups = [];
    private readonly List<Delivery> _deliveries = []; // oldest first

    /// <summary>The offset of the last alert log entry read.</summary>
    public long Offset { get; private set; }

    public IReadOnlyCollection<NotificationGroup> Groups => _groups.Values;

    public IReadOnlyList<Delivery> Deliveries => _deliveries;

    /// <summary>Reads one log entry; returns what must go out at once (a flapping alert notifies without delay, unless silenced).</summary>
    public IReadOnlyList<Notification> Observe(long offset, AlertTransitioned transition, long nowMs, Func<AlertTransitioned, bool>? silenced = null)
    {
        if (offset <= Offset) return []; // read again after a restart from an older snapshot
        Offset = offset;
        var key = NotificationGroup.KeyOf(transition);
        _groups.TryGetValue(key, out var group);
        switch (transition.To)
        {
            case AlertState.Firing:
                // The delay counts from when the engine saw the alert fire, not from when this reads it: after an outage of
                // the dispatcher, alerts that have fired long enough are due at once, not one delay later.
                var firedMs = Math.Min(nowMs, transition.RecordedMs);
                group ??= new NotificationGroup(key, new Dictionary<string, AlertTransitioned>(), firedMs, 0, new HashSet<string>(), 0);
                if (!group.Firing.Any() && group.Announced.Count == 0) group = group with { FiringSinceMs = firedMs };
                // An announced alert that escalates (warning to critical) is news: it is announced again, as if it had just
                // joined the group (at once when it is the only one, else one delay after the group's last notification).
                // Falling back to a lower severity waits for the repeat.
                if (group.Announced.Contains(transition.AlertId) && group.Alerts.TryGetValue(transition.AlertId, out var before)
                    && before.To == AlertState.Firing && transition.Severity > before.Severity)
                    group = group with { Announced = group.Announced.Where(id => id != transition.AlertId).ToHashSet() };
                _groups[key] = group with { Alerts = With(group.Alerts, transition) };
                return [];
            case AlertState.Flapping:
                group ??= new NotificationGroup(key, new Dictionary<string, AlertTransitioned>(), nowMs, 0, new HashSet<string>(), 0);
                if (silenced?.Invoke(transition) == true)
                {
                    _groups[key] = group with { Alerts = With(group.Alerts, transition) };
                    return [];
                }
                group = group with { Alerts = With(group.Alerts, transition), Sequence = group.Sequence + 1 };
                _groups[key] = group;
                return [new Notification(IdOf(group, group.Sequence), key, NotificationKind.Flapping, [transition], nowMs)];
            case AlertState.Resolved when group is not null && group.Alerts.ContainsKey(transition.AlertId):
                _groups[key] = group with { Alerts = With(group.Alerts, transition) };
                return [];
            default:
                // Pending or back to inactive: only firing alerts are notified; one that never fired leaves the group.
                if (group is not null && group.Alerts.ContainsKey(transition.AlertId) && !group.Announced.Contains(transition.AlertId))
                    _groups[key] = group with { Alerts = Without(group.Alerts, transition.AlertId) };
                return [];
        }
    }

    /// <summary>
    /// The notifications the clock has made due; the groups record them as sent. A <paramref name="silenced"/> alert is
    /// held back (and announced once its silence ends, if it still fires); an <paramref name="acknowledged"/> one is
    /// not repeated. Resolutions of announced alerts always go out.
    /// </summary>
    public IReadOnlyList<Notification> Due(long nowMs, NotificationPolicy policy,
        Func<AlertTransitioned, bool>? silenced = null, Func<AlertTransitioned, bool>? acknowledged = null)
    {
        var due = new List<Notification>();
        var delayMs = (long)policy.Delay.TotalMilliseconds;
        var repeatMs = (long)policy.RepeatInterval.TotalMilliseconds;
        foreach (var group in _groups.Values.ToArray())
        {
            var firing = group.Firing.ToArray();
            if (firing.Length > 0)
            {
                var audible = firing.Where(a => silenced?.Invoke(a) != true).ToArray();
                if (audible.Length == 0) continue; // everything silenced: wait, still tracked
                var first = group.Announced.Count == 0 && nowMs >= group.FiringSinceMs + delayMs;
                var joined = group.Announced.Count > 0 && audible.Any(a => !group.Announced.Contains(a.AlertId)) && nowMs >= group.LastSentMs + delayMs;
                var repeat = group.Announced.Count > 0 && nowMs >= group.LastSentMs + repeatMs;
                if (!first && !joined)
                {
                    if (!repeat) continue;
                    audible = audible.Where(a => acknowledged?.Invoke(a) != true).ToArray();
                    if (audible.Length == 0)
                    {
                        _groups[group.Key] = group with { LastSentMs = nowMs }; // acknowledged: the next repeat is one interval on
                        continue;
                    }
                }
                firing = audible;
                var sequence = group.Sequence + 1;
                due.Add(new Notification(IdOf(group, sequence), group.Key, NotificationKind.Firing, firing, nowMs));
                _groups[group.Key] = group with
                {
                    LastSentMs = nowMs,
                    Announced = group.Announced.Union(firing.Select(a => a.AlertId)).ToHashSet(),
                    Sequence = sequence,
                };
                continue;
            }
            if (group.Alerts.Values.Any(a => a.To == AlertState.Flapping)) continue; // it will report how it ended
            // Resolutions of announced alerts go out, and so do those of alerts that fired longer than the delay but were
            // read only after they resolved (the dispatcher was down): they happened, and nobody was told. An alert that
            // resolved before its delay was up: nobody was told, nobody needs to be.
            var resolved = group.Alerts.Values.Where(a => a.To == AlertState.Resolved
                && (group.Announced.Contains(a.AlertId) || a.RecordedMs >= group.FiringSinceMs + delayMs)).ToArray();
            if (resolved.Length > 0)
                due.Add(new Notification(IdOf(group, group.Sequence + 1), group.Key, NotificationKind.Resolved, resolved, nowMs));
            _groups.Remove(group.Key);
        }
        return due;
    }

    /// <summary>
    /// Unique across episodes: a group that resolved is dropped and the next episode counts from 1 again, so the id
    /// carries the moment the group began firing as well (receivers drop repeats by id).
    /// </summary>
    private static string IdOf(NotificationGroup group, long sequence) => $"{group.Key}/{group.FiringSinceMs}/{sequence}";

    /// <summary>One pending delivery per channel.</summary>
    public void Queue(Notification notification, IEnumerable<string> channels, long nowMs)
    {
        foreach (var channel in channels) _deliveries.Add(new Delivery(notification, channel, DeliveryStatus.Pending, 0, null, nowMs));
    }

    /// <summary>Records an attempt (<paramref name="error"/> null: delivered) and returns the delivery as it now stands.</summary>
    public Delivery? Attempted(string notificationId, string channel, string? error, long nowMs, int maxAttempts)
    {
        var index = _deliveries.FindIndex(d => d.Notification.Id == notificationId && d.Channel == channel && d.Status == DeliveryStatus.Pending);
        if (index < 0) return null;
        var attempts = _deliveries[index].Attempts + 1;
        var status = error is null ? DeliveryStatus.Delivered : attempts >= maxAttempts ? DeliveryStatus.Failed : DeliveryStatus.Pending;
        var updated = _deliveries[index] with { Status = status, Attempts = attempts, LastError = error, UpdatedMs = nowMs };
        _deliveries[index] = updated;
        TrimFinished();
        return updated;
    }

    public IEnumerable<Delivery> Pending => _deliveries.Where(d => d.Status == DeliveryStatus.Pending);

    private void TrimFinished()
    {
        var finished = _deliveries.Count(d => d.Status != DeliveryStatus.Pending);
        for (var i = 0; finished > KeptDeliveries && i < _deliveries.Count;)
        {
            if (_deliveries[i].Status == DeliveryStatus.Pending) { i++; continue; }
            _deliveries.RemoveAt(i);
            finished--;
        }
    }

    public DispatcherSnapshot ToSnapshot() => new(Offset, [.. _groups.Values], [.. _deliveries]);

    public static DispatchState FromSnapshot(DispatcherSnapshot snapshot)
    {
        var state = new DispatchState { Offset = snapshot.Offset };
        foreach (var group in snapshot.Groups) state._groups[group.Key] = group;
        state._deliveries.AddRange(snapshot.Deliveries);
        return state;
    }

    private static Dictionary<string, AlertTransitioned> With(IReadOnlyDictionary<string, AlertTransitioned> alerts, AlertTransitioned transition) =>
        new(alerts) { [transition.AlertId] = transition };

    private static Dictionary<string, AlertTransitioned> Without(IReadOnlyDictionary<string, AlertTransitioned> alerts, string alertId)
    {
        var copy = new Dictionary<string, AlertTransitioned>(alerts);
        copy.Remove(alertId);
        return copy;
    }
}
