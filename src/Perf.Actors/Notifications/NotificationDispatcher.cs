using Akka;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Telemetry;
using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Alerts.SilenceBookQueries;
using static Perf.Actors.Notifications.NotificationProtocol;

namespace Perf.Actors.Notifications;

/// <summary>
/// Tells people about alerts (cluster singleton <c>notification-dispatcher</c>): follows the alert log from the offset in
/// its last snapshot, groups alerts (<see cref="DispatchState"/>), and delivers what becomes due to every channel, retrying
/// with backoff. A channel is called off the actor's thread and never holds up ingestion. The snapshot (offset, groups,
/// pending deliveries) is taken within a second of any change, so after a crash nothing is lost: the log is read again
/// from the snapshot's offset and pending deliveries are sent again (at most the last second's may arrive twice; each
/// carries its notification id so receivers can tell).
/// </summary>
public sealed class NotificationDispatcher : UntypedPersistentActor, IWithTimers
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private readonly NotificationPolicy _policy;
    private readonly IReadOnlyList<INotificationChannel> _channels;
    private readonly Func<long, Source<(long Offset, AlertTransitioned Transition), NotUsed>> _follow;
    private readonly TimeProvider _clock;
    private readonly IActorRef _silenceBook;
    private DispatchState _state = new();
    private SilencesView? _silences; // nothing is sent until the silences are known
    private (LogEntry Entry, IActorRef Stream)? _held;
    private bool _dirty;

    public NotificationDispatcher(
        NotificationPolicy policy, IReadOnlyList<INotificationChannel> channels,
        Func<long, Source<(long Offset, AlertTransitioned Transition), NotUsed>> follow, IActorRef silenceBook, TimeProvider clock)
    {
        _silenceBook = silenceBook;
        _policy = policy;
        _channels = channels;
        _follow = follow;
        _clock = clock;
        // It persists no events, only its state: every snapshot is at sequence number 0, so the snapshot store replaces
        // the one row in place.
    }

    public override string PersistenceId => "notification-dispatcher";

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NotificationPolicy policy, IReadOnlyList<INotificationChannel> channels,
        Func<long, Source<(long Offset, AlertTransitioned Transition), NotUsed>> follow, IActorRef silenceBook, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new NotificationDispatcher(policy, channels, follow, silenceBook, clock));

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Alerts.SilenceBook.Topic, Self));
        base.PreStart();
    }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: DispatcherSnapshot snapshot }:
                _state = DispatchState.FromSnapshot(snapshot);
                break;
            case RecoveryCompleted:
                _silenceBook.Tell(GetSilences.Instance);
                FollowLog();
                Timers.StartPeriodicTimer("tick", Tick.Instance, TickInterval);
                // Deliveries that were pending when the node stopped go out again.
                foreach (var pending in _state.Pending.ToArray()) Attempt(pending.Notification, pending.Channel);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case StreamInit:
                Sender.Tell(StreamAck.Instance);
                break;
            case LogEntry entry when _silences is null:
                // Not acknowledged, so the stream sends nothing more: a silenced alert must not slip through at start-up.
                _held = (entry, Sender);
                break;
            case LogEntry entry:
                Observe(entry, Sender);
                break;
            case StreamEnded ended:
                Log.Warning(ended.Cause, "Following the alert log stopped; starting again in 5 s");
                Timers.StartSingleTimer("follow", FollowAgain.Instance, TimeSpan.FromSeconds(5));
                break;
            case FollowAgain:
                FollowLog();
                break;
            case SilencesView silences:
                if (_silences is null || silences.Version > _silences.Version) _silences = silences;
                if (_held is { } held)
                {
                    _held = null;
                    Observe(held.Entry, held.Stream);
                }
                break;
            case SubscribeAck:
                break;
            case Tick:
                if (_silences is null) _silenceBook.Tell(GetSilences.Instance);
                else Send(_state.Due(Now, _policy, Silenced, Acknowledged));
                if (_dirty)
                {
                    _dirty = false;
                    SaveSnapshot(_state.ToSnapshot());
                }
                break;
            case Attempted attempted:
                Record(attempted);
                break;
            case Retry retry:
                if (_state.Pending.FirstOrDefault(d => d.Notification.Id == retry.NotificationId && d.Channel == retry.Channel) is { } due)
                    Attempt(due.Notification, due.Channel);
                break;
            case GetNotifications:
                Sender.Tell(new NotificationsView(
                    [.. _state.Deliveries.Reverse()], [.. _channels.Select(c => $"{c.Name}:{c.Type}")], _state.Offset));
                break;
            case SaveSnapshotSuccess:
                break;
            case SaveSnapshotFailure failed:
                _dirty = true;
                Log.Warning(failed.Cause, "Snapshot of the notification dispatcher failed; will retry");
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Observe(LogEntry entry, IActorRef stream)
    {
        Send(_state.Observe(entry.Offset, entry.Transition, Now, Silenced));
        _dirty = true;
        stream.Tell(StreamAck.Instance);
    }

    private bool Silenced(AlertTransitioned alert)
    {
        var now = Now;
        return _silences?.Silences.Any(s => s.IsActive(now) && s.Matches(alert)) == true;
    }

    private bool Acknowledged(AlertTransitioned alert) => _silences?.Acknowledgements.Any(a => a.AlertId == alert.AlertId) == true;

    private void FollowLog()
    {
        var self = Self;
        _follow(_state.Offset)
            .Select(e => new LogEntry(e.Offset, e.Transition))
            .RunWith(Sink.ActorRefWithAck<LogEntry>(self, StreamInit.Instance, StreamAck.Instance, new StreamEnded(null), e => new StreamEnded(e)),
                Context.Materializer());
    }

    private void Send(IReadOnlyList<Notification> notifications)
    {
        if (notifications.Count == 0) return;
        foreach (var notification in notifications)
        {
            _state.Queue(notification, _channels.Select(c => c.Name), Now);
            PerfMetrics.NotificationsQueued.Add(1, new KeyValuePair<string, object?>("kind", notification.Kind.ToString().ToLowerInvariant()));
            foreach (var channel in _channels) Attempt(notification, channel.Name);
        }
        _dirty = true;
    }

    private void Attempt(Notification notification, string channelName)
    {
        var channel = _channels.FirstOrDefault(c => c.Name == channelName);
        if (channel is null)
        {
            Self.Tell(new Attempted(notification.Id, channelName, "the channel is no longer configured", GiveUp: true));
            return;
        }
        var cancel = new CancellationTokenSource(SendTimeout);
        channel.SendAsync(notification, cancel.Token).ContinueWith(task =>
        {
            cancel.Dispose();
            return new Attempted(notification.Id, channelName, task.IsCompletedSuccessfully ? null : Describe(task.Exception), GiveUp: false);
        }, TaskScheduler.Default).PipeTo(Self);
    }

    private void Record(Attempted attempted)
    {
        var delivery = _state.Attempted(attempted.NotificationId, attempted.Channel, attempted.Error, Now, attempted.GiveUp ? 1 : _policy.RetryAttempts);
        if (delivery is null) return;
        _dirty = true;
        var tag = new KeyValuePair<string, object?>("channel", delivery.Channel);
        switch (delivery.Status)
        {
            case DeliveryStatus.Delivered:
                PerfMetrics.NotificationsDelivered.Add(1, tag);
                PerfMetrics.NotificationLatency.Record(Now - delivery.Notification.CreatedMs, tag);
                break;
            case DeliveryStatus.Failed:
                PerfMetrics.NotificationsFailed.Add(1, tag);
                Log.Error("Giving up on notification {0} to {1} after {2} attempts: {3}", delivery.Notification.Id, delivery.Channel, delivery.Attempts, delivery.LastError);
                break;
            default:
                Timers.StartSingleTimer($"retry:{delivery.Notification.Id}:{delivery.Channel}", new Retry(delivery.Notification.Id, delivery.Channel),
                    _policy.Backoff(delivery.Attempts + 1));
                break;
        }
    }

    private static string Describe(AggregateException? error) =>
        error?.InnerException is { } inner ? $"{inner.GetType().Name}: {inner.Message}" : "cancelled (timed out)";

    private sealed record LogEntry(long Offset, AlertTransitioned Transition);
    private sealed record Attempted(string NotificationId, string Channel, string? Error, bool GiveUp);
    private sealed record Retry(string NotificationId, string Channel);
    private sealed record StreamEnded(Exception? Cause);

    private sealed class StreamInit
    {
        public static readonly StreamInit Instance = new();
    }

    private sealed class StreamAck
    {
        public static readonly StreamAck Instance = new();
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class FollowAgain
    {
        public static readonly FollowAgain Instance = new();
    }
}
