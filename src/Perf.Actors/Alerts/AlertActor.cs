using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Perf.Actors.Series;
using Perf.Actors.Telemetry;
using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Alerts.AlertProtocol;

namespace Perf.Actors.Alerts;

/// <summary>
/// The alerts of one series (child <c>alerts</c> of its <see cref="SeriesActor"/>, persistence id <c>alerts-{host}/{metric}</c>):
/// one <see cref="RuleEvaluator"/> per matching rule, fed the series' persisted points in order. Every transition is
/// persisted, tagged <see cref="AlertEvents.Tag"/>, on the default journal, which the alert stream and the notifications
/// read by tag. The evaluators' states and how far they got are snapshotted after each transition and every
/// <see cref="SnapshotInterval"/>; after a restart the parent replays the points since then, and transitions that had
/// already been persisted before a crash are not written twice.
/// </summary>
public sealed class AlertActor : UntypedPersistentActor, IWithTimers
{
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(30);
    private readonly string _host;
    private readonly string _metric;
    private readonly FlappingSettings _flapping;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, RuleEvaluator> _evaluators = [];
    private Dictionary<string, RuleEvaluatorState>? _restored;
    private long _evaluatedUpToMs = long.MinValue;
    // Newest transition in the journal: re-evaluating points after a crash regenerates it, and it is not written twice.
    private long _persistedUpToMs = long.MinValue;
    private int _pendingEvents;
    private bool _dirty;

    public AlertActor(string entityId, FlappingSettings flapping, TimeProvider clock)
    {
        var key = SeriesKey.FromEntityId(entityId);
        (_host, _metric) = (key.Host, key.Metric);
        _flapping = flapping;
        _clock = clock;
        PersistenceId = "alerts-" + entityId;
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, FlappingSettings flapping, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new AlertActor(entityId, flapping, clock));

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AlertActorSnapshot snapshot }:
                _evaluatedUpToMs = snapshot.EvaluatedUpToMs;
                _restored = snapshot.Rules.ToDictionary(r => r.RuleId);
                break;
            case AlertTransitioned transition:
                _persistedUpToMs = Math.Max(_persistedUpToMs, transition.TimestampMs);
                break;
            case RecoveryCompleted:
                Timers.StartPeriodicTimer("snapshot", TakeSnapshot.Instance, SnapshotInterval);
                Context.Parent.Tell(new AlertsReady(_evaluatedUpToMs));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case UseRules use:
                UseRulesOf(use.Rules);
                break;
            case EvaluateAlerts evaluate:
                Evaluate(evaluate);
                break;
            case TakeSnapshot:
                if (_dirty) Snapshot();
                break;
            case SaveSnapshotSuccess saved:
                // The transitions stay in the journal: they are the alert log. Only older snapshots go.
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                Log.Warning(failed.Cause, "Snapshot of the alerts of {0}/{1} failed", _host, _metric);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void UseRulesOf(IReadOnlyList<AlertRule> rules)
    {
        foreach (var gone in _evaluators.Keys.Where(id => rules.All(r => r.Id != id)).ToArray()) _evaluators.Remove(gone);
        foreach (var rule in rules)
        {
            if (_evaluators.TryGetValue(rule.Id, out var existing))
                existing.Rule = rule; // an edited rule keeps its state
            else if (_restored?.Remove(rule.Id, out var state) == true)
                _evaluators[rule.Id] = RuleEvaluator.FromState(_host, _metric, rule, _flapping, state);
            else
                _evaluators[rule.Id] = new RuleEvaluator(_host, _metric, rule, _flapping);
        }
    }

    private void Evaluate(EvaluateAlerts points)
    {
        List<AlertTransitioned>? transitions = null;
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var findings = points.Findings;
        for (var i = 0; i < points.Timestamps.Length; i++)
        {
            var t = points.Timestamps[i];
            if (t <= _evaluatedUpToMs) continue; // seen before (a catch-up overlapping a live write)
            _evaluatedUpToMs = t;
            IReadOnlyList<Anomaly> at = findings.Length == 0 ? [] : Array.FindAll(findings, f => f.TimestampMs == t);
            foreach (var evaluator in _evaluators.Values) evaluator.Evaluate(t, points.Values[i], at, now, transitions ??= []);
        }
        _dirty = true;
        if (transitions is not { Count: > 0 }) return;
        var fresh = transitions.Where(e => e.TimestampMs > _persistedUpToMs).Select(e => new Tagged(e, [Tag])).ToArray();
        if (fresh.Length == 0) return;
        _pendingEvents += fresh.Length;
        PersistAllAsync(fresh, persisted =>
        {
            _pendingEvents--;
            var e = (AlertTransitioned)(persisted is Tagged tagged ? tagged.Payload : persisted);
            _persistedUpToMs = Math.Max(_persistedUpToMs, e.TimestampMs);
            PerfMetrics.AlertTransitions.Add(1, new KeyValuePair<string, object?>("to", e.To.ToString().ToLowerInvariant()));
            // A transition is rare and its state hard to rebuild: snapshot right after it.
            if (_pendingEvents == 0) Snapshot();
        });
    }

    private void Snapshot()
    {
        // A snapshot is stamped with the newest sequence number handed to the journal: wait for the pending transitions
        // (the last one's handler snapshots).
        if (_pendingEvents > 0) return;
        _dirty = false;
        var states = _evaluators.Values.Select(e => e.ToState()).Concat(_restored?.Values.AsEnumerable() ?? []).ToArray();
        SaveSnapshot(new AlertActorSnapshot(_evaluatedUpToMs, states));
    }

    private sealed class TakeSnapshot
    {
        public static readonly TakeSnapshot Instance = new();
    }
}
