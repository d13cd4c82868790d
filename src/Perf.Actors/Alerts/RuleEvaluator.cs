using Perf.Actors.Series;
using Perf.Analytics.Trend;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Alerts;

/// <summary>
/// The state machine of one rule on one series, without Akka or I/O: <see cref="Evaluate"/> takes a sample (and the
/// detector findings at its timestamp) and appends the transitions it causes. Time is the samples' own timestamps,
/// except for no-data rules, which measure silence on the wall clock (<see cref="CheckSilence"/>).
/// </summary>
/// <remarks>
/// Two layers. The condition (Inactive -> Pending -> Firing -> Resolved, with severity changes while firing) follows the
/// rule exactly; every kind only decides which level holds now, and the way from there to a state (<c>for</c>, resolve)
/// is shared. What is reported follows the condition, except that when the alert fires or resolves
/// <see cref="FlappingSettings.Changes"/> times within the flapping window it reports Flapping once and then nothing
/// until the condition has not fired or resolved for a whole window, when it reports where the condition ended up.
/// A data gap never resolves a firing alert by itself: threshold, anomaly and trend rules only move on samples, and a
/// firing no-data alert only resolves on one.
/// </remarks>
public sealed class RuleEvaluator
{
    /// <summary>A trend rule predicts nothing before it has this many samples...</summary>
    public const int TrendMinSamples = 10;

    /// <summary>...spanning at least this part of its window: ten samples of the last minute say little about the next hours.</summary>
    public const double TrendMinWindowShare = 0.25;

    /// <summary>
    /// The most samples a trend rule fits (thinned evenly over its window). Theil–Sen compares every pair of samples:
    /// 256 samples fit in about 0.3 ms, 512 in about 2.3 ms, for every new sample of every series a trend rule watches.
    /// The default collection interval puts 121 samples in an hour's window.
    /// </summary>
    public const int TrendMaxSamples = 256;

    private readonly string _host;
    private readonly string _metric;
    private readonly FlappingSettings _flapping;
    private readonly long _collectionIntervalMs;
    private AlertRule _rule;
    private AlertState _condition = AlertState.Inactive;
    private AlertSeverity _severity;
    private long _episodeStartMs;
    private long _lastFindingMs;
    private bool _isFlapping;
    // The last value evaluated (the value a retired alert ends with); unknown after a restart.
    private double _lastValue = double.NaN;
    private List<long>? _changes; // when the condition fired or resolved, within the flapping window
    private SampleWindow? _trend; // trend rules: the samples of the window
    private long _lastArrivalMs; // no-data rules: wall clock of the last sample; 0 = none yet

    /// <param name="collectionInterval">what a no-data rule's <see cref="AlertRule.Intervals"/> count.</param>
    public RuleEvaluator(string host, string metric, AlertRule rule, FlappingSettings flapping, TimeSpan collectionInterval)
    {
        _host = host;
        _metric = metric;
        _rule = rule;
        _flapping = flapping;
        _collectionIntervalMs = (long)collectionInterval.TotalMilliseconds;
    }

    /// <summary>The rule; replaced in place when an operator edits it (the state carries over).</summary>
    public AlertRule Rule
    {
        get => _rule;
        set
        {
            if (value.Kind != AlertRuleKind.Trend || value.TrendWindow <= TimeSpan.Zero) _trend = null;
            else if (_trend is not null && value.TrendWindow != _trend.Window) _trend = _trend.Resized(value.TrendWindow);
            _rule = value;
        }
    }

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

    /// <summary>Trend rules: when (sample time) the fitted line reaches the level it predicted at the last sample; null
    /// when it predicts none. The alert log keeps only the level (its layout is frozen), the node's log says when.</summary>
    public long? PredictedCrossingMs { get; private set; }

    /// <summary>
    /// A no-data rule whose state can still change without a sample: it is waiting for silence, or pending, or must report
    /// the end of flapping. A firing no-data alert cannot (only a sample resolves it), so its series may be passivated.
    /// </summary>
    public bool CanChangeWithoutData => Rule.Kind == AlertRuleKind.NoData && (_condition != AlertState.Firing || _isFlapping);

    private long SilenceLimitMs => Rule.Intervals * _collectionIntervalMs;

    /// <param name="nowMs">the wall clock: the event's <c>RecordedMs</c>, and for no-data rules when the sample arrived.</param>
    public void Evaluate(long timestampMs, double value, IReadOnlyList<Anomaly> findings, long nowMs, List<AlertTransitioned> output)
    {
        _lastValue = value;
        if (Rule.Kind == AlertRuleKind.NoData)
        {
            // The silence is over: a pending alert stops and a firing one resolves. The event says how long it lasted.
            var silentMs = _lastArrivalMs == 0 ? 0 : nowMs - _lastArrivalMs;
            _lastArrivalMs = nowMs;
            var (state, level) = NextOnLevel(nowMs, AlertSeverity.None);
            Move(state, level, nowMs, silentMs / 1000.0, nowMs, output);
            return;
        }
        var (next, severity) = Rule.Kind switch
        {
            AlertRuleKind.Anomaly => NextOnFindings(timestampMs, findings),
            AlertRuleKind.Trend => NextOnTrend(timestampMs, value),
            _ => NextOnLevel(timestampMs, Rule.LevelOf(value, _condition == AlertState.Firing ? _severity : AlertSeverity.None)),
        };
        Move(next, severity, timestampMs, value, nowMs, output);
    }

    /// <summary>
    /// No-data rules, on the wall clock: the series has been silent since the last sample arrived (or since the rule
    /// first looked, when it has seen none). Silent for <see cref="AlertRule.Intervals"/> collection intervals, the
    /// condition holds (and, after <c>for</c>, fires); a firing alert stays firing however long the gap. Events carry the
    /// seconds of silence as the value and the limit as the threshold. Returns whether anything changed.
    /// </summary>
    public bool CheckSilence(long nowMs, List<AlertTransitioned> output)
    {
        if (Rule.Kind != AlertRuleKind.NoData) return false;
        var before = (_condition, _severity, _isFlapping, _lastArrivalMs);
        if (_lastArrivalMs == 0) _lastArrivalMs = nowMs;
        var silentMs = nowMs - _lastArrivalMs;
        var holds = silentMs >= SilenceLimitMs || _condition == AlertState.Firing;
        var (next, severity) = NextOnLevel(nowMs, holds ? Rule.Severity : AlertSeverity.None);
        Move(next, severity, nowMs, silentMs / 1000.0, nowMs, output);
        return before != (_condition, _severity, _isFlapping, _lastArrivalMs);
    }

    /// <summary>Moves the condition to <paramref name="next"/> at <paramref name="t"/> and reports what the flapping layer lets through.</summary>
    private void Move(AlertState next, AlertSeverity severity, long t, double value, long nowMs, List<AlertTransitioned> output)
    {
        var before = (State: _condition, _severity, AlertId, EpisodeStartMs: _episodeStartMs);
        if (next != _condition || severity != _severity)
        {
            var fireOrResolve = (next == AlertState.Firing && _condition != AlertState.Firing) || next == AlertState.Resolved;
            // An episode starts when the condition starts to hold; a severity that moves while it holds (pending at
            // warning, then at critical) is the same episode, and `for` keeps counting from its start. While flapping,
            // the condition comes and goes within one alert: the one that began to flap, whose id its end is logged under.
            if (!_isFlapping
                && ((next == AlertState.Pending && _condition != AlertState.Pending)
                    || (next == AlertState.Firing && _condition is AlertState.Inactive or AlertState.Resolved)))
                _episodeStartMs = t;
            _condition = next;
            _severity = severity;
            if (fireOrResolve) Changed(t);
            if (_isFlapping) return; // the condition moves on quietly
            if (fireOrResolve && ChangesInWindow(t) >= _flapping.Changes)
            {
                _isFlapping = true;
                _episodeStartMs = before.EpisodeStartMs; // the alert that flaps is the one there before this change
                output.Add(Event(before.State, AlertState.Flapping, Reported(before._severity), t, value, nowMs, before.AlertId));
                return;
            }
            output.Add(Event(before.State, _condition, Reported(before._severity), t, value, nowMs, AlertId));
            return;
        }
        if (_isFlapping && ChangesInWindow(t) == 0)
        {
            // Stable for a whole window: report where the condition is now, once.
            _isFlapping = false;
            output.Add(Event(AlertState.Flapping, _condition, _severity, t, value, nowMs, AlertId));
        }
    }

    /// <summary>The condition given the level that holds now (None = the condition does not hold): the part every kind shares.</summary>
    private (AlertState, AlertSeverity) NextOnLevel(long t, AlertSeverity level) => _condition switch
    {
        // Kinds with hysteresis computed the level with the resolve margin of the firing severity.
        AlertState.Firing => level == AlertSeverity.None ? (AlertState.Resolved, AlertSeverity.None) : (AlertState.Firing, level),
        AlertState.Pending when level == AlertSeverity.None => (AlertState.Inactive, AlertSeverity.None),
        AlertState.Pending => t - _episodeStartMs >= (long)Rule.For.TotalMilliseconds ? (AlertState.Firing, level) : (AlertState.Pending, level),
        _ when level == AlertSeverity.None => (_condition, AlertSeverity.None),
        _ => Rule.For <= TimeSpan.Zero ? (AlertState.Firing, level) : (AlertState.Pending, level),
    };

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

    private (AlertState, AlertSeverity) NextOnTrend(long t, double value)
    {
        if (!double.IsFinite(value) || Rule.TrendWindow <= TimeSpan.Zero) return (_condition, _severity);
        _trend ??= new SampleWindow(Rule.TrendWindow, TrendMaxSamples);
        _trend.Add(t, value);
        // Too little history to predict anything: nothing changes, as during a gap (a firing alert is not resolved by
        // the lack of a fit, e.g. when a long gap left few samples in the window).
        if (_trend.Count < TrendMinSamples || _trend.SpanMs < Rule.TrendWindow.TotalMilliseconds * TrendMinWindowShare
            || !TrendFit.TryTheilSen(_trend.Timestamps, _trend.Values, t, out var line))
            return (_condition, _severity);
        var level = Rule.PredictedLevelOf(value, line, _condition == AlertState.Firing ? _severity : AlertSeverity.None);
        PredictedCrossingMs = level == AlertSeverity.None ? null : t + (long)(Math.Max(0, line.SecondsUntil(Rule.LevelFor(level))) * 1000);
        return NextOnLevel(t, level);
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
        alertId, Rule.Id, Rule.Name, _host, _metric, from, to, severity, t, value, ThresholdOf(severity), nowMs);

    private double ThresholdOf(AlertSeverity severity) => Rule.Kind switch
    {
        AlertRuleKind.Anomaly => Rule.MinScore,
        AlertRuleKind.NoData => SilenceLimitMs / 1000.0,
        _ => Rule.LevelFor(severity),
    };

    /// <summary>
    /// The rule no longer applies to this series (deleted, or changed to other hosts or metrics): an alert still open ends
    /// here, at <paramref name="t"/>, rather than staying firing (and renotified) for good. Null when none is open.
    /// </summary>
    public AlertTransitioned? Retire(long t, long nowMs)
    {
        var from = State;
        if (from is not (AlertState.Pending or AlertState.Firing or AlertState.Flapping)) return null;
        var to = from == AlertState.Pending ? AlertState.Inactive : AlertState.Resolved;
        var retired = Event(from, to, _severity, t, double.IsNaN(_lastValue) ? ThresholdOf(_severity) : _lastValue, nowMs, AlertId);
        (_condition, _isFlapping) = (to, false);
        return retired;
    }

    public RuleEvaluatorState ToState()
    {
        var (timestamps, values) = _trend?.ToArrays() ?? ([], []);
        return new RuleEvaluatorState(Rule.Id, _condition, _severity, _episodeStartMs, _lastFindingMs, _isFlapping, _changes?.ToArray() ?? [])
        {
            TrendTimestampsMs = timestamps,
            TrendValues = values,
            LastArrivalMs = _lastArrivalMs,
            Rule = Rule,
        };
    }

    public static RuleEvaluator FromState(
        string host, string metric, AlertRule rule, FlappingSettings flapping, TimeSpan collectionInterval, RuleEvaluatorState state) =>
        new(host, metric, rule, flapping, collectionInterval)
        {
            _condition = state.Condition,
            _severity = state.Severity,
            _episodeStartMs = state.EpisodeStartMs,
            _lastFindingMs = state.LastFindingMs,
            _isFlapping = state.Flapping,
            _changes = state.Changes.Length == 0 ? null : [.. state.Changes],
            _trend = state.TrendTimestampsMs.Length == 0 || rule.Kind != AlertRuleKind.Trend || rule.TrendWindow <= TimeSpan.Zero
                ? null
                : SampleWindow.From(rule.TrendWindow, TrendMaxSamples, state.TrendTimestampsMs, state.TrendValues),
            _lastArrivalMs = state.LastArrivalMs,
        };
}
