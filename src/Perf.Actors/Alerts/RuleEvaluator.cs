using Perf.Actors.Series;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Alerts;

/// <summary>
/// The state machine of one rule on one series, without Akka or I/O: <see cref="Evaluate"/> takes a sample (and the
/// detector findings at its timestamp) and appends the transitions it causes. Time is the samples' own timestamps.
/// </summary>
/// <remarks>
/// Two layers. The condition (Inactive -> Pending -> Firing -> Resolved, with severity changes while firing) follows the
/// rule exactly. What is reported follows the condition, except that when the alert fires or resolves
/// <see cref="FlappingSettings.Changes"/> times within the flapping window it reports Flapping once and then nothing
/// until the condition has not fired or resolved for a whole window, when it reports where the condition ended up.
/// </remarks>
public sealed class RuleEvaluator
{
    private readonly string _host;
    private readonly string _metric;
    private readonly FlappingSettings _flapping;
    private AlertState _condition = AlertState.Inactive;
    private AlertSeverity _severity;
    private long _episodeStartMs;
    private long _lastFindingMs;
    private bool _isFlapping;
    private List<long>? _changes; // when the condition fired or resolved, within the flapping window

    public RuleEvaluator(string host, string metric, AlertRule rule, FlappingSettings flapping)
    {
        _host = host;
        _metric = metric;
        Rule = rule;
        _flapping = flapping;
    }

    /// <summary>The rule; replaced in place when an operator edits it (the state carries over).</summary>
    public AlertRule Rule { get; set; }

    /// <summary>What is reported: the condition, or Flapping.</summary>
    public AlertState State => _isFlapping ? AlertState.Flapping : _condition;

    public AlertSeverity Severity => _severity;

    /// <summary>
    /// One episode of this rule on this series, safe in a URL path (<c>POST /api/v1/alerts/{id}/ack</c>):
    /// <c>{rule}-{episode start ms}-{hash of host and metric}</c> (host and metric are in the events themselves).
    /// </summary>
    public string AlertId => $"{Rule.Id}-{_episodeStartMs}-{SeriesHash(_host, _metric):x16}";

    /// <summary>FNV-1a over host, a separator no host contains, and metric: stable across processes and versions.</summary>
    private static ulong SeriesHash(string host, string metric)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in host + "\n" + metric) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    public void Evaluate(long timestampMs, double value, IReadOnlyList<Anomaly> findings, long nowMs, List<AlertTransitioned> output)
    {
        var before = (State: _condition, _severity, AlertId);
        var (next, severity) = Rule.Kind == AlertRuleKind.Anomaly ? NextOnFindings(timestampMs, findings) : NextOnValue(timestampMs, value);
        if (next != _condition || severity != _severity)
        {
            var fireOrResolve = (next == AlertState.Firing && _condition != AlertState.Firing) || next == AlertState.Resolved;
            if (next == AlertState.Pending || (next == AlertState.Firing && _condition is AlertState.Inactive or AlertState.Resolved))
                _episodeStartMs = timestampMs;
            _condition = next;
            _severity = severity;
            if (fireOrResolve) Changed(timestampMs);
            if (_isFlapping) return; // the condition moves on quietly
            if (fireOrResolve && ChangesInWindow(timestampMs) >= _flapping.Changes)
            {
                _isFlapping = true;
                output.Add(Event(before.State, AlertState.Flapping, Reported(before._severity), timestampMs, value, nowMs, before.AlertId));
                return;
            }
            output.Add(Event(before.State, _condition, Reported(before._severity), timestampMs, value, nowMs, AlertId));
            return;
        }
        if (_isFlapping && ChangesInWindow(timestampMs) == 0)
        {
            // Stable for a whole window: report where the condition is now, once.
            _isFlapping = false;
            output.Add(Event(AlertState.Flapping, _condition, _severity, timestampMs, value, nowMs, AlertId));
        }
    }

    private (AlertState, AlertSeverity) NextOnValue(long t, double value)
    {
        switch (_condition)
        {
            case AlertState.Firing:
                // Hysteresis: a firing level holds until the value is back past it by the resolve margin.
                var holding = Rule.LevelOf(value, _severity);
                return holding == AlertSeverity.None ? (AlertState.Resolved, AlertSeverity.None) : (AlertState.Firing, holding);
            case AlertState.Pending:
                var level = Rule.LevelOf(value, AlertSeverity.None);
                if (level == AlertSeverity.None) return (AlertState.Inactive, AlertSeverity.None);
                return t - _episodeStartMs >= (long)Rule.For.TotalMilliseconds ? (AlertState.Firing, level) : (AlertState.Pending, level);
            default:
                var breach = Rule.LevelOf(value, AlertSeverity.None);
                if (breach == AlertSeverity.None) return (_condition, AlertSeverity.None);
                return Rule.For <= TimeSpan.Zero ? (AlertState.Firing, breach) : (AlertState.Pending, breach);
        }
    }

    private (AlertState, AlertSeverity) NextOnFindings(long t, IReadOnlyList<Anomaly> findings)
    {
        foreach (var finding in findings)
        {
            if (finding.Score < Rule.MinScore && !double.IsNaN(finding.Score)) continue;
            if (Rule.AnomalyKinds.Count > 0 && !Rule.AnomalyKinds.Contains(finding.Kind)) continue;
            _lastFindingMs = t;
            return (AlertState.Firing, Rule.Severity);
        }
        // Resolves after `for` of sample time without a finding.
        if (_condition == AlertState.Firing && t - _lastFindingMs >= (long)Rule.For.TotalMilliseconds) return (AlertState.Resolved, AlertSeverity.None);
        return (_condition, _severity);
    }

    private void Changed(long t) => (_changes ??= []).Add(t);

    private int ChangesInWindow(long t)
    {
        if (_changes is null) return 0;
        _changes.RemoveAll(c => c <= t - _flapping.WindowMs);
        return _changes.Count;
    }

    /// <summary>An alert that resolves (or stops pending) reports the severity it had.</summary>
    private AlertSeverity Reported(AlertSeverity before) => _severity == AlertSeverity.None ? before : _severity;

    private AlertTransitioned Event(AlertState from, AlertState to, AlertSeverity severity, long t, double value, long nowMs, string alertId) => new(
        alertId, Rule.Id, Rule.Name, _host, _metric, from, to, severity, t, value,
        Rule.Kind == AlertRuleKind.Anomaly ? Rule.MinScore : Rule.LevelFor(severity), nowMs);

    public RuleEvaluatorState ToState() =>
        new(Rule.Id, _condition, _severity, _episodeStartMs, _lastFindingMs, _isFlapping, _changes?.ToArray() ?? []);

    public static RuleEvaluator FromState(string host, string metric, AlertRule rule, FlappingSettings flapping, RuleEvaluatorState state) =>
        new(host, metric, rule, flapping)
        {
            _condition = state.Condition,
            _severity = state.Severity,
            _episodeStartMs = state.EpisodeStartMs,
            _lastFindingMs = state.LastFindingMs,
            _isFlapping = state.Flapping,
            _changes = state.Changes.Length == 0 ? null : [.. state.Changes],
        };
}
