using Perf.Actors.Alerts;
using Perf.Actors.Notifications;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Tests.Notifications;

public sealed class DispatchStateTests
{
    private const long Now = 1_790_000_000_000;
    private static readonly NotificationPolicy Policy = new(TimeSpan.FromMinutes(5), TimeSpan.FromHours(4), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 5);

    private static AlertTransitioned Transition(AlertState from, AlertState to, string host = "web-1", string rule = "cpu_usage", long episode = 1,
        long recorded = Now) =>
        new($"{rule}/{host}/cpu.usage/{episode}", rule, rule, host, "cpu.usage", from, to, AlertSeverity.Critical, Now, 95, 90, recorded);

    private static long Minutes(double m) => Now + (long)(m * 60_000);

    [Fact]
    public void A_group_is_notified_once_its_delay_is_up_then_repeated_and_resolved()
    {
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Inactive, AlertState.Pending), Now);
        state.Observe(2, Transition(AlertState.Pending, AlertState.Firing), Now);

        Assert.Empty(state.Due(Minutes(4.9), Policy));
        var first = Assert.Single(state.Due(Minutes(5), Policy));
        Assert.Equal((NotificationKind.Firing, "host=web-1,rule=cpu_usage", $"host=web-1,rule=cpu_usage/{Now}/1"), (first.Kind, first.GroupKey, first.Id));
        Assert.Empty(state.Due(Minutes(60), Policy));
        Assert.Equal(NotificationKind.Firing, Assert.Single(state.Due(Minutes(5 + 240), Policy)).Kind);

        state.Observe(3, Transition(AlertState.Firing, AlertState.Resolved), Minutes(250));
        var resolved = Assert.Single(state.Due(Minutes(250), Policy));
        Assert.Equal(NotificationKind.Resolved, resolved.Kind);
        Assert.Equal(AlertState.Resolved, Assert.Single(resolved.Alerts).To);
        Assert.Empty(state.Groups);
    }

    [Fact]
    public void An_announced_warning_that_escalates_to_critical_is_announced_again_at_once_and_a_fall_back_waits_for_the_repeat()
    {
        var state = new DispatchState();
        var warning = Transition(AlertState.Pending, AlertState.Firing) with { Severity = AlertSeverity.Warning };
        state.Observe(1, warning, Now);
        Assert.Equal(AlertSeverity.Warning, Assert.Single(Assert.Single(state.Due(Minutes(5), Policy)).Alerts).Severity);

        state.Observe(2, warning with { From = AlertState.Firing, Severity = AlertSeverity.Critical }, Minutes(10));

        var escalated = Assert.Single(state.Due(Minutes(10), Policy));
        Assert.Equal((NotificationKind.Firing, AlertSeverity.Critical), (escalated.Kind, Assert.Single(escalated.Alerts).Severity));
        Assert.Equal($"host=web-1,rule=cpu_usage/{Now}/2", escalated.Id); // the same episode's second notification

        state.Observe(3, warning with { From = AlertState.Firing }, Minutes(11));
        Assert.Empty(state.Due(Minutes(12), Policy));
        Assert.Equal(AlertSeverity.Warning, Assert.Single(Assert.Single(state.Due(Minutes(10 + 240), Policy)).Alerts).Severity);
    }

    [Fact]
    public void An_alert_that_resolves_within_the_delay_is_never_notified()
    {
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Pending, AlertState.Firing), Now);
        state.Observe(2, Transition(AlertState.Firing, AlertState.Resolved), Minutes(2));

        Assert.Empty(state.Due(Minutes(10), Policy));
        Assert.Empty(state.Groups);
    }

    [Fact]
    public void After_an_outage_an_alert_that_fired_long_enough_is_due_at_once_and_one_that_also_resolved_is_told_resolved()
    {
        // The dispatcher was down for 20 minutes: it reads everything at once.
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Pending, AlertState.Firing, host: "still-firing"), Minutes(20));
        state.Observe(2, Transition(AlertState.Pending, AlertState.Firing, host: "came-and-went"), Minutes(20));
        state.Observe(3, Transition(AlertState.Firing, AlertState.Resolved, host: "came-and-went", recorded: Minutes(10)), Minutes(20));

        var due = state.Due(Minutes(20), Policy);

        Assert.Equal(NotificationKind.Firing, Assert.Single(due, n => n.GroupKey.Contains("still-firing")).Kind);
        var told = Assert.Single(due, n => n.GroupKey.Contains("came-and-went"));
        Assert.Equal(NotificationKind.Resolved, told.Kind); // it fired 10 minutes, past the 5-minute delay
    }

    [Fact]
    public void Alerts_group_by_host_and_rule_and_one_that_joins_later_is_announced_after_the_delay()
    {
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Pending, AlertState.Firing, episode: 1), Now);
        state.Observe(2, Transition(AlertState.Pending, AlertState.Firing, host: "web-2"), Now);
        Assert.Equal(2, state.Due(Minutes(5), Policy).Count);

        var joined = Transition(AlertState.Pending, AlertState.Firing, episode: 2);
        state.Observe(3, joined, Minutes(6));
        Assert.Empty(state.Due(Minutes(9), Policy));
        var update = Assert.Single(state.Due(Minutes(10), Policy));
        Assert.Equal(2, update.Alerts.Count);
        Assert.Contains(update.Alerts, a => a.AlertId == joined.AlertId);
    }

    [Fact]
    public void Flapping_notifies_at_once_and_the_group_waits_for_how_it_ends()
    {
        var state = new DispatchState();
        var flapping = state.Observe(1, Transition(AlertState.Firing, AlertState.Flapping), Now);

        Assert.Equal(NotificationKind.Flapping, Assert.Single(flapping).Kind);
        Assert.Empty(state.Due(Minutes(10), Policy));
        Assert.Single(state.Groups);
    }

    [Fact]
    public void An_entry_read_again_after_a_restart_changes_nothing()
    {
        var state = new DispatchState();
        state.Observe(5, Transition(AlertState.Pending, AlertState.Firing), Now);

        Assert.Empty(state.Observe(5, Transition(AlertState.Firing, AlertState.Flapping), Now));
        Assert.Empty(state.Observe(4, Transition(AlertState.Firing, AlertState.Flapping), Now));
        Assert.Equal(5, state.Offset);
    }

    [Theory]
    [InlineData(new[] { "boom", "boom", null }, DeliveryStatus.Delivered, 3)]
    [InlineData(new[] { "boom", "boom", "boom", "boom", "boom" }, DeliveryStatus.Failed, 5)]
    [InlineData(new[] { "boom", "boom" }, DeliveryStatus.Pending, 2)]
    public void Deliveries_are_retried_until_delivered_or_out_of_attempts(string?[] outcomes, DeliveryStatus expected, int attempts)
    {
        var state = new DispatchState();
        var notification = new Notification("g/1", "g", NotificationKind.Firing, [], Now);
        state.Queue(notification, ["slack", "email"], Now);

        Delivery? last = null;
        foreach (var error in outcomes) last = state.Attempted("g/1", "slack", error, Now, Policy.RetryAttempts);

        Assert.Equal((expected, attempts), (last!.Status, last.Attempts));
        Assert.Contains(state.Pending, d => d.Channel == "email");
    }

    [Theory]
    [InlineData(2, 1_000)]
    [InlineData(3, 2_000)]
    [InlineData(5, 8_000)]
    [InlineData(20, 60_000)]
    public void Retries_back_off_exponentially_up_to_the_maximum(int attempt, double expectedMs) =>
        Assert.Equal(expectedMs, Policy.Backoff(attempt).TotalMilliseconds);

    [Fact]
    public void The_snapshot_restores_groups_offset_and_pending_deliveries()
    {
        var state = new DispatchState();
        state.Observe(7, Transition(AlertState.Pending, AlertState.Firing), Now);
        var notification = Assert.Single(state.Due(Minutes(5), Policy));
        state.Queue(notification, ["slack"], Minutes(5));

        var restored = DispatchState.FromSnapshot(state.ToSnapshot());

        Assert.Equal(7, restored.Offset);
        Assert.Equal(notification.Id, Assert.Single(restored.Pending).Notification.Id);
        Assert.Empty(restored.Due(Minutes(6), Policy)); // announced already: only the repeat is left
        Assert.Single(restored.Due(Minutes(5 + 240), Policy));
    }

    [Fact]
    public void A_silenced_alert_is_held_back_and_announced_when_its_silence_ends()
    {
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Pending, AlertState.Firing), Now);
        var silencedUntil = Minutes(30);
        var now = Minutes(10);
        bool Silenced(AlertTransitioned _) => now < silencedUntil;

        Assert.Empty(state.Due(now, Policy, Silenced));
        now = Minutes(31);
        Assert.Equal(NotificationKind.Firing, Assert.Single(state.Due(now, Policy, Silenced)).Kind);
    }

    [Fact]
    public void An_acknowledged_alert_is_not_repeated_but_its_resolution_goes_out()
    {
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Pending, AlertState.Firing), Now);
        Assert.Single(state.Due(Minutes(5), Policy));

        Assert.Empty(state.Due(Minutes(5 + 240), Policy, acknowledged: _ => true));
        state.Observe(2, Transition(AlertState.Firing, AlertState.Resolved), Minutes(300));
        Assert.Equal(NotificationKind.Resolved, Assert.Single(state.Due(Minutes(300), Policy, acknowledged: _ => true)).Kind);
    }

    [Fact]
    public void A_silenced_flapping_alert_does_not_notify()
    {
        var state = new DispatchState();

        Assert.Empty(state.Observe(1, Transition(AlertState.Firing, AlertState.Flapping), Now, silenced: _ => true));
    }

    [Fact]
    public void The_next_episode_of_a_group_gets_new_notification_ids()
    {
        var state = new DispatchState();
        state.Observe(1, Transition(AlertState.Pending, AlertState.Firing), Now);
        var first = Assert.Single(state.Due(Minutes(5), Policy));
        state.Observe(2, Transition(AlertState.Firing, AlertState.Resolved), Minutes(6));
        var resolved = Assert.Single(state.Due(Minutes(6), Policy));

        state.Observe(3, Transition(AlertState.Pending, AlertState.Firing, episode: 2, recorded: Minutes(60)), Minutes(60));
        var again = Assert.Single(state.Due(Minutes(65), Policy));

        Assert.Equal(3, new[] { first.Id, resolved.Id, again.Id }.Distinct().Count());
    }
}
