using System.Diagnostics;
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
/// The alerts of one series (a child of the series' <see cref="Hosts.HostActor"/>, persistence id <c>alerts-{host}/{metric}</c>):
/// one <see cref="RuleEvaluator"/> per matching rule, fed the series' persisted points in order. Every transition is
/// persisted, tagged <see cref="AlertEvents.Tag"/>, on the default journal, which the alert stream and the notifications
/// read by tag. The evaluators' states and how far they got are snapshotted after each transition and every
/// <see cref="SnapshotInterval"/>; after a restart the parent replays the points since then, and transitions that had
/// already been persisted before a crash are not written twice.
/// </summary>
/// <remarks>
/// No-data rules need the wall clock: while one watches the series, a timer checks every
/// <see cref="NoDataSettings.CheckEvery"/> how long the series has been silent, and as long as the no-data condition can
/// still change without a sample the actor keeps its series from being passivated (<see cref="KeepSeriesAlive"/>);
/// otherwise a series that stops reporting would be passivated after <c>passivate_after</c>, taking this actor and its
/// timer with it, and its silence would never be noticed. Their transitions are stamped with the wall clock, so they are
/// kept out of the sample-time bookkeeping that spots regenerated transitions after a crash.
/// </remarks>
public sealed class AlertActor : UntypedPersistentActor, IWithTimers
{
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(30);
    private const string SilenceTimer = "silence";
    private readonly string _host;
    private readonly string _metric;
    private readonly FlappingSettings _flapping;
    private readonly NoDataSettings _noData;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, RuleEvaluator> _evaluators = [];
    private Dictionary<string, RuleEvaluatorState>? _restored;
    private long _evaluatedUpToMs = long.MinValue;
    // Newest sample-time transition replayed at recovery (written after the snapshot): re-evaluating the points after the
    // snapshot regenerates it and those before it, and they are not written twice. Only what recovery saw counts: a
    // live transition must never hold back a later one at the same or an earlier sample time (a late finding's).
    private long _recoveredUpToMs = long.MinValue;
    // Transitions replayed from the journal (those after the snapshot), until the rules say which are wall-clock ones.
    private List<AlertTransitioned>? _recovered;
    // Wall-clock (no-data) transitions in the journal after the snapshot: an evaluator restored from the older snapshot
    // makes them again, and they are not written twice. Not needed once a newer snapshot is saved.
    // By rule, not alert id: a no-data episode's id embeds the wall-clock moment it began, which a regeneration moves.
    private HashSet<(string RuleId, AlertState To)>? _recoveredWallClock;
    // When (wall clock) the series last got a message through its shard: a sample, or a keep-alive.
    private long _seriesTouchedMs;
    private int _pendingEvents;
    private bool _dirty;

    public AlertActor(string entityId, FlappingSettings flapping, NoDataSettings noData, TimeProvider clock)
    {
        var key = SeriesKey.FromEntityId(entityId);
        (_host, _metric) = (key.Host, key.Metric);
        _flapping = flapping;
        _noData = noData;
        _clock = clock;
        PersistenceId = "alerts-" + entityId;
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, FlappingSettings flapping, NoDataSettings noData, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new AlertActor(entityId, flapping, noData, clock));

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AlertActorSnapshot snapshot }:
                _evaluatedUpToMs = snapshot.EvaluatedUpToMs;
                _restored = snapshot.Rules.ToDictionary(r => r.RuleId);
                break;
            case AlertTransitioned transition:
                (_recovered ??= []).Add(transition);
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
                var started = Stopwatch.GetTimestamp();
                Evaluate(evaluate);
                var elapsed = Stopwatch.GetElapsedTime(started);
                PerfMetrics.AlertEvaluationLatency.Record(elapsed.TotalMilliseconds);
                StageProfile.AlertEvaluation.Record(elapsed);
                break;
            case EvaluateFindings late:
                EvaluateLate(late.Findings);
                break;
            case CheckSilence:
                CheckSilenceOfSeries();
                break;
            case TakeSnapshot:
                if (_dirty) Snapshot();
                break;
            case SaveSnapshotSuccess saved:
                // A newer snapshot covers what was replayed: a crash from now on replays only what follows it.
                _recoveredWallClock = null;
                _recoveredUpToMs = long.MinValue;
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
        List<AlertTransitioned>? retired = null;
        var retiredAt = _evaluatedUpToMs == long.MinValue ? NowMs : _evaluatedUpToMs;
        foreach (var gone in _evaluators.Keys.Where(id => rules.All(r => r.Id != id)).ToArray())
        {
            // Deleted, or no longer matching this series: its open alert ends now instead of firing on in the log.
            if (_evaluators[gone].Retire(retiredAt, NowMs) is { } end) (retired ??= []).Add(end);
            _evaluators.Remove(gone);
        }
        // The same for a rule deleted while this actor was stopped: its state came back from the snapshot, with the rule it
        // was made under (snapshots of earlier versions lack it, and their alert cannot be ended here).
        foreach (var (gone, state) in _restored?.Where(r => rules.All(rule => rule.Id != r.Key)).ToArray() ?? [])
        {
            _restored!.Remove(gone);
            if (state.Rule is null) continue;
            var evaluator = RuleEvaluator.FromState(_host, _metric, state.Rule, _flapping, _noData.CollectionInterval, state);
            if (evaluator.Retire(retiredAt, NowMs) is { } end) (retired ??= []).Add(end);
        }
        if (retired is not null)
        {
            _dirty = true;
            Record(retired, late: true);
        }
        foreach (var rule in rules)
        {
            if (_evaluators.TryGetValue(rule.Id, out var existing))
                existing.Rule = rule; // an edited rule keeps its state
            else if (_restored?.Remove(rule.Id, out var state) == true)
                _evaluators[rule.Id] = RuleEvaluator.FromState(_host, _metric, rule, _flapping, _noData.CollectionInterval, state);
            else
                _evaluators[rule.Id] = new RuleEvaluator(_host, _metric, rule, _flapping, _noData.CollectionInterval);
        }
        if (_recovered is not null)
        {
            foreach (var transition in _recovered)
            {
                if (IsWallClock(transition)) (_recoveredWallClock ??= []).Add((transition.RuleId, transition.To));
                else _recoveredUpToMs = Math.Max(_recoveredUpToMs, transition.TimestampMs);
            }
            _recovered = null;
        }
        if (_evaluators.Values.All(e => e.Rule.Kind != AlertRuleKind.NoData)) Timers.Cancel(SilenceTimer);
        else if (!Timers.IsTimerActive(SilenceTimer)) Timers.StartPeriodicTimer(SilenceTimer, CheckSilence.Instance, _noData.CheckEvery);
    }

    private bool IsWallClock(AlertTransitioned transition) =>
        _evaluators.TryGetValue(transition.RuleId, out var evaluator) && evaluator.Rule.Kind == AlertRuleKind.NoData;

    private void Evaluate(EvaluateAlerts points)
    {
        List<AlertTransitioned>? transitions = null;
        var now = NowMs;
        if (points.Timestamps.Length > 0) _seriesTouchedMs = now; // samples reach the series through its shard
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
        if (transitions is { Count: > 0 }) Record(transitions);
    }

    /// <summary>
    /// Findings that come after their points were evaluated (the host model's): only anomaly rules look at them, at the
    /// finding's own timestamp. Their transitions are written even when a later sample's transition already is (the
    /// timestamp check against a crash's replay does not apply: these are never replayed).
    /// </summary>
    private void EvaluateLate(Anomaly[] findings)
    {
        var transitions = new List<AlertTransitioned>();
        var now = NowMs;
        foreach (var finding in findings)
        foreach (var evaluator in _evaluators.Values.Where(e => e.Rule.Kind == AlertRuleKind.Anomaly))
            evaluator.Evaluate(finding.TimestampMs, finding.Value, [finding], now, transitions);
        _dirty = true;
        if (transitions.Count > 0) Record(transitions, late: true);
    }

    /// <summary>No-data rules, on the wall clock; then keeps a silent series alive while that can still matter.</summary>
    private void CheckSilenceOfSeries()
    {
        var now = NowMs;
        var transitions = new List<AlertTransitioned>();
        foreach (var evaluator in _evaluators.Values)
            if (evaluator.CheckSilence(now, transitions)) _dirty = true;
        if (transitions.Count > 0) Record(transitions);
        if (now - _seriesTouchedMs < (long)_noData.KeepAliveEvery.TotalMilliseconds) return;
        if (!_evaluators.Values.Any(e => e.CanChangeWithoutData)) return;
        _seriesTouchedMs = now;
        Context.Parent.Tell(KeepSeriesAlive.Instance);
    }

    private void Record(List<AlertTransitioned> transitions, bool late = false)
    {
        var fresh = transitions
            .Select(e => (Event: e, WallClock: IsWallClock(e)))
            .Where(e => late || (e.WallClock ? _recoveredWallClock?.Contains((e.Event.RuleId, e.Event.To)) != true : e.Event.TimestampMs > _recoveredUpToMs))
            .ToArray();
        if (fresh.Length == 0) return;
        foreach (var (e, _) in fresh) LogPrediction(e);
        _pendingEvents += fresh.Length;
        PersistAllAsync(fresh.Select(e => new Tagged(e.Event, [Tag])), persisted =>
        {
            _pendingEvents--;
            var e = (AlertTransitioned)(persisted is Tagged tagged ? tagged.Payload : persisted);
            PerfMetrics.AlertTransitions.Add(1, new KeyValuePair<string, object?>("to", e.To.ToString().ToLowerInvariant()));
            // A transition is rare and its state hard to rebuild: snapshot right after it.
            if (_pendingEvents == 0) Snapshot();
        });
    }

    /// <summary>When a trend alert starts, the log says when its line reaches the level (the alert log's layout has no room).</summary>
    private void LogPrediction(AlertTransitioned e)
    {
        if (e.To is not (AlertState.Pending or AlertState.Firing) || !_evaluators.TryGetValue(e.RuleId, out var evaluator)
            || evaluator.Rule.Kind != AlertRuleKind.Trend || evaluator.PredictedCrossingMs is not { } crossing)
            return;
        Log.Info("Alert {0} on {1}/{2} is {3}: the trend reaches {4} at {5:o}", e.RuleId, _host, _metric, e.To, e.Threshold,
            DateTimeOffset.FromUnixTimeMilliseconds(crossing));
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

    private sealed class CheckSilence
    {
        public static readonly CheckSilence Instance = new();
    }
}
