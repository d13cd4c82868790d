using Perf.Actors.Alerts;
using Perf.Actors.Series;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Tests.Alerts;

public sealed class RuleEvaluatorTests
{
    private const long Start = 1_790_000_000_000;
    private static readonly FlappingSettings Flapping = new(TimeSpan.FromMinutes(30), 4);
    private static readonly TimeSpan CollectionInterval = TimeSpan.FromSeconds(30);

    private static readonly AlertRule Cpu = new()
    {
        Id = "cpu_usage", Name = "cpu_usage", Metric = "cpu.usage", Warning = 70, Critical = 90, For = TimeSpan.FromMinutes(1), ResolveMargin = 5,
    };

    private static long T(int seconds) => Start + seconds * 1000L;

    /// <summary>Feeds (seconds, value) samples and returns the transitions as "From->To:Severity@seconds".</summary>
    private static List<string> Run(RuleEvaluator evaluator, params (int S, double V)[] samples)
    {
        var output = new List<AlertTransitioned>();
        foreach (var (s, v) in samples) evaluator.Evaluate(T(s), v, [], nowMs: 0, output);
        return output.Select(e => $"{e.From}->{e.To}:{e.Severity}@{(e.TimestampMs - Start) / 1000}").ToList();
    }

    private static RuleEvaluator Evaluator(AlertRule? rule = null) => new("web-1", "cpu.usage", rule ?? Cpu, Flapping, CollectionInterval);

    [Fact]
    public void Fires_after_the_for_duration_of_sample_time_and_resolves_below_the_hysteresis()
    {
        var transitions = Run(Evaluator(), (0, 50), (30, 95), (60, 96), (90, 97), (120, 84), (150, 67), (180, 64));

        Assert.Equal(["Inactive->Pending:Critical@30", "Pending->Firing:Critical@90", "Firing->Firing:Warning@120", "Firing->Resolved:Warning@180"], transitions);
    }

    [Theory]
    [InlineData(86.0, true)]   // critical holds until 85 (90 - 5)
    [InlineData(84.9, false)]
    public void A_firing_level_holds_within_its_resolve_margin(double value, bool stillCritical)
    {
        var evaluator = Evaluator(Cpu with { For = TimeSpan.Zero });
        Run(evaluator, (0, 95));

        Run(evaluator, (30, value));

        Assert.Equal(stillCritical ? AlertSeverity.Critical : AlertSeverity.Warning, evaluator.Severity);
        Assert.Equal(AlertState.Firing, evaluator.State);
    }

    [Fact]
    public void A_value_swinging_between_warning_and_critical_fires_after_for_as_one_alert()
    {
        var evaluator = Evaluator();
        var output = new List<AlertTransitioned>();
        foreach (var (s, v) in new[] { (0, 85.0), (10, 95.0), (20, 85.0), (30, 95.0), (40, 85.0), (50, 95.0), (60, 85.0) })
            evaluator.Evaluate(T(s), v, [], nowMs: 0, output);

        Assert.Equal(AlertState.Firing, evaluator.State); // above the warning line for the whole minute
        Assert.Equal("Pending->Firing@60", output.Where(e => e.To == AlertState.Firing).Select(e => $"{e.From}->{e.To}@{(e.TimestampMs - Start) / 1000}").Single());
        Assert.Single(output.Select(e => e.AlertId).Distinct()); // one episode, whatever its severity did
    }

    [Fact]
    public void A_breach_shorter_than_for_goes_back_to_inactive_without_firing()
    {
        var transitions = Run(Evaluator(), (0, 75), (30, 75), (45, 60), (60, 75));

        Assert.Equal(["Inactive->Pending:Warning@0", "Pending->Inactive:Warning@45", "Inactive->Pending:Warning@60"], transitions);
    }

    [Fact]
    public void Event_time_decides_so_delayed_samples_alert_as_they_would_have_live()
    {
        var live = new List<AlertTransitioned>();
        var replay = new List<AlertTransitioned>();
        var a = Evaluator();
        var b = Evaluator();
        foreach (var (s, v) in new[] { (0, 95.0), (30, 95.0), (60, 95.0), (90, 50.0) })
        {
            a.Evaluate(T(s), v, [], nowMs: T(s), live);
            b.Evaluate(T(s), v, [], nowMs: T(s) + 3_600_000, replay); // an hour late
        }

        Assert.Equal(live.Select(e => (e.To, e.TimestampMs)), replay.Select(e => (e.To, e.TimestampMs)));
        Assert.Contains(replay, e => e.To == AlertState.Firing && e.TimestampMs == T(60));
    }

    [Fact]
    public void A_value_hovering_at_the_line_does_not_flap_thanks_to_the_margin()
    {
        var rule = Cpu with { For = TimeSpan.Zero, Critical = null };
        var transitions = Run(Evaluator(rule), (0, 71), (30, 69), (60, 71), (90, 69.5), (120, 70), (150, 68));

        Assert.Equal(["Inactive->Firing:Warning@0"], transitions);
    }

    [Fact]
    public void Flapping_notifies_once_and_reports_the_outcome_after_a_quiet_window()
    {
        var rule = Cpu with { For = TimeSpan.Zero, Critical = null, ResolveMargin = 0 };
        var evaluator = Evaluator(rule);

        var transitions = Run(evaluator, (0, 80), (60, 50), (120, 80), (180, 50), (240, 80), (300, 50), (360, 80), (420, 80), (420 + 1800, 80), (420 + 1860, 80));

        Assert.Equal(
        [
            "Inactive->Firing:Warning@0", "Firing->Resolved:Warning@60", "Resolved->Firing:Warning@120",
            "Firing->Flapping:Warning@180",
            "Flapping->Firing:Warning@2220",
        ], transitions);
        Assert.Equal(AlertState.Firing, evaluator.State);
    }

    [Fact]
    public void A_flapping_alert_ends_under_the_id_it_began_flapping_under()
    {
        var evaluator = Evaluator(Cpu with { For = TimeSpan.Zero, Critical = null, ResolveMargin = 0 });
        var output = new List<AlertTransitioned>();
        foreach (var (s, v) in new[] { (0, 80.0), (60, 50.0), (120, 80.0), (180, 50.0), (240, 80.0), (300, 50.0), (360, 80.0), (420, 80.0), (2220, 80.0) })
            evaluator.Evaluate(T(s), v, [], nowMs: 0, output);

        var entered = output.Single(e => e.To == AlertState.Flapping);
        var ended = output.Single(e => e.From == AlertState.Flapping);
        Assert.Equal(entered.AlertId, ended.AlertId); // otherwise the id that flapped stays "flapping" for good
        Assert.Equal(entered.AlertId, evaluator.AlertId);
    }

    [Fact]
    public void Below_rules_fire_on_low_values()
    {
        var rule = new AlertRule { Id = "free", Metric = "disk.free_percent", Warning = 20, Critical = 5, Below = true, ResolveMargin = 2 };

        var transitions = Run(Evaluator(rule), (0, 30), (30, 15), (60, 4), (90, 21), (120, 23));

        Assert.Equal(["Inactive->Firing:Warning@30", "Firing->Firing:Critical@60", "Firing->Firing:Warning@90", "Firing->Resolved:Warning@120"], transitions);
    }

    [Fact]
    public void Anomaly_rules_fire_on_a_finding_and_resolve_after_for_without_one()
    {
        var rule = new AlertRule
        {
            Id = "spikes", Kind = AlertRuleKind.Anomaly, Metric = "*", AnomalyKinds = ["spike"], MinScore = 0, For = TimeSpan.FromMinutes(5),
            Severity = AlertSeverity.Critical,
        };
        var evaluator = Evaluator(rule);
        var output = new List<AlertTransitioned>();
        Anomaly Finding(int s, string kind) => new(T(s), 99, "iid-spike", kind, 99, 1e-6, double.NaN);

        evaluator.Evaluate(T(0), 50, [], 0, output);
        evaluator.Evaluate(T(30), 50, [Finding(30, "changepoint")], 0, output); // not a kind this rule watches
        evaluator.Evaluate(T(60), 99, [Finding(60, "spike")], 0, output);
        evaluator.Evaluate(T(300), 50, [], 0, output);
        evaluator.Evaluate(T(360), 50, [], 0, output);

        Assert.Equal([(AlertState.Firing, T(60)), (AlertState.Resolved, T(360))], output.Select(e => (e.To, e.TimestampMs)));
        Assert.All(output, e => Assert.Equal(AlertSeverity.Critical, e.Severity));
        Assert.Equal(output[0].AlertId, output[1].AlertId);
    }

    [Fact]
    public void Restored_from_its_state_it_continues_like_an_uninterrupted_run()
    {
        (int, double)[] first = [(0, 95), (30, 95)];
        (int, double)[] second = [(60, 95), (90, 95), (120, 40)];
        var uninterrupted = Evaluator();
        var expected = Run(uninterrupted, [.. first, .. second]);

        var before = Evaluator();
        var part = Run(before, first);
        var restored = RuleEvaluator.FromState("web-1", "cpu.usage", Cpu, Flapping, CollectionInterval, before.ToState());
        part.AddRange(Run(restored, second));

        Assert.Equal(expected, part);
        Assert.Equal(uninterrupted.ToState() with { Changes = [] }, restored.ToState() with { Changes = [] });
    }

    [Fact]
    public void One_episode_keeps_one_alert_id_and_the_next_episode_gets_a_new_one()
    {
        var evaluator = Evaluator(Cpu with { For = TimeSpan.Zero });
        var output = new List<AlertTransitioned>();
        foreach (var (s, v) in new[] { (0, 95.0), (30, 96.0), (60, 10.0), (90, 95.0) }) evaluator.Evaluate(T(s), v, [], 0, output);

        Assert.Equal(output[0].AlertId, output[1].AlertId); // fired, resolved
        Assert.NotEqual(output[0].AlertId, output[2].AlertId);
        Assert.Matches($"^cpu_usage-{T(0)}-[0-9a-f]{{16}}$", output[0].AlertId);
        var otherHost = new List<AlertTransitioned>();
        new RuleEvaluator("web-2", "cpu.usage", Cpu with { For = TimeSpan.Zero }, Flapping, CollectionInterval).Evaluate(T(0), 95, [], 0, otherHost);
        Assert.NotEqual(output[0].AlertId, otherHost[0].AlertId);
    }

    [Fact]
    public void A_data_gap_never_resolves_a_firing_alert_by_itself_only_a_sample_does()
    {
        var evaluator = Evaluator(Cpu with { For = TimeSpan.Zero });
        var output = new List<AlertTransitioned>();
        evaluator.Evaluate(T(0), 95, [], T(0), output);
        Assert.Equal(AlertState.Firing, evaluator.State);

        // Six hours without a sample: the wall clock moves on, the rule does not.
        for (var hour = 1; hour <= 6; hour++) Assert.False(evaluator.CheckSilence(T(hour * 3600), output));
        Assert.Equal(AlertState.Firing, evaluator.State);
        Assert.Single(output);

        var after = Run(evaluator, (6 * 3600, 96), (6 * 3600 + 30, 10));

        Assert.Equal(["Firing->Resolved:Critical@21630"], after);
    }

    private static readonly AlertRule DiskFull = new()
    {
        Id = "disk_full", Name = "Disk full soon", Kind = AlertRuleKind.Trend, Metric = "disk.usage", Warning = 80, Critical = 90,
        Horizon = TimeSpan.FromHours(4), TrendWindow = TimeSpan.FromHours(1),
    };

    /// <summary>An hour of samples every 30 s: <paramref name="start"/> rising <paramref name="perHour"/> an hour, with a
    /// little deterministic noise.</summary>
    private static (int S, double V)[] Hour(double start, double perHour) =>
        [.. Enumerable.Range(0, 121).Select(i => (i * 30, start + perHour * i / 120.0 + (i * 7919 % 7 - 3) * 0.05))];

    [Theory]
    [InlineData(60.0, 8.0, AlertSeverity.Critical)] // 68 now, 100 in 4 h
    [InlineData(60.0, 5.0, AlertSeverity.Warning)]  // 65 now, 85 in 4 h: reaches 80, not 90
    [InlineData(82.0, 3.0, AlertSeverity.Critical)] // past warning already (the threshold rule's job), heading for 90 within 4 h
    [InlineData(70.0, 0.0, AlertSeverity.None)]     // flat
    [InlineData(85.0, -5.0, AlertSeverity.None)]    // falling
    [InlineData(60.0, 1.0, AlertSeverity.None)]     // rising, but 65 in 4 h
    [InlineData(92.0, 2.0, AlertSeverity.None)]     // already above both levels: not a prediction any more
    public void A_trend_rule_fires_at_the_highest_level_its_line_reaches_within_the_horizon(double start, double perHour, AlertSeverity expected)
    {
        var evaluator = new RuleEvaluator("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval);

        Run(evaluator, Hour(start, perHour));

        Assert.Equal(expected == AlertSeverity.None ? AlertState.Inactive : AlertState.Firing, evaluator.State);
        Assert.Equal(expected, evaluator.Severity);
    }

    [Fact]
    public void A_trend_alert_waits_for_enough_history_honours_for_and_hands_over_once_the_value_itself_crosses()
    {
        var evaluator = new RuleEvaluator("db-1", "disk.usage", DiskFull with { For = TimeSpan.FromMinutes(10) }, Flapping, CollectionInterval);
        var output = new List<AlertTransitioned>();
        // 50% rising 10 points an hour: 90% is reached at 4 h.
        for (var s = 0; s <= 5 * 3600; s += 30) evaluator.Evaluate(T(s), 50 + 10.0 * s / 3600, [], 0, output);

        // 15 minutes (a quarter of the window) of samples before the first prediction, 10 more of `for`; at 4 h the value
        // is at the critical level and warning is long passed: the threshold rule's job from there.
        Assert.Equal(
            [(AlertState.Inactive, AlertState.Pending, T(900)), (AlertState.Pending, AlertState.Firing, T(1500)), (AlertState.Firing, AlertState.Resolved, T(14400))],
            output.Select(e => (e.From, e.To, e.TimestampMs)));
        Assert.All(output, e => Assert.Equal((AlertSeverity.Critical, 90.0), (e.Severity, e.Threshold)));
    }

    [Fact]
    public void A_trend_alert_predicts_when_the_line_reaches_the_level()
    {
        var evaluator = new RuleEvaluator("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval);

        Run(evaluator, [.. Enumerable.Range(0, 31).Select(i => (i * 30, 50 + 10.0 * i * 30 / 3600))]);

        Assert.Equal(AlertState.Firing, evaluator.State);
        Assert.InRange(evaluator.PredictedCrossingMs!.Value, T(14400) - 1000, T(14400) + 1000);
    }

    [Fact]
    public void A_below_trend_rule_fires_on_a_falling_line()
    {
        var rule = DiskFull with { Id = "free", Metric = "disk.free_percent", Below = true, Warning = 20, Critical = 10 };
        var evaluator = new RuleEvaluator("db-1", "disk.free_percent", rule, Flapping, CollectionInterval);

        Run(evaluator, Hour(50, -12)); // 38 now, -10 in 4 h

        Assert.Equal((AlertState.Firing, AlertSeverity.Critical), (evaluator.State, evaluator.Severity));
    }

    [Fact]
    public void After_a_gap_leaves_too_few_samples_to_fit_a_firing_trend_alert_stays_firing()
    {
        var evaluator = new RuleEvaluator("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval);
        Run(evaluator, Hour(60, 8));
        Assert.Equal(AlertState.Firing, evaluator.State);

        // Three hours later: the window holds one sample, far too few to say where the line goes.
        var after = Run(evaluator, (3600 + 3 * 3600, 70), (3600 + 3 * 3600 + 30, 70));

        Assert.Empty(after);
        Assert.Equal(AlertState.Firing, evaluator.State);
    }

    [Fact]
    public void A_trend_evaluator_restored_from_its_state_keeps_its_samples_and_continues_like_an_uninterrupted_run()
    {
        var samples = Hour(60, 8);
        var uninterrupted = new RuleEvaluator("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval);
        var expected = Run(uninterrupted, samples);

        var before = new RuleEvaluator("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval);
        var part = Run(before, samples[..20]);
        var state = before.ToState();
        Assert.Equal(20, state.TrendTimestampsMs.Length);
        var restored = RuleEvaluator.FromState("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval, state);
        part.AddRange(Run(restored, samples[20..]));

        Assert.Equal(expected, part);
        Assert.NotEmpty(expected);
        Assert.Equal(uninterrupted.ToState().TrendTimestampsMs, restored.ToState().TrendTimestampsMs);
        Assert.Equal(uninterrupted.ToState().TrendValues, restored.ToState().TrendValues);
    }

    [Fact]
    public void A_trend_rule_keeps_at_most_its_bound_of_samples_thinned_over_its_window()
    {
        var evaluator = new RuleEvaluator("db-1", "disk.usage", DiskFull, Flapping, CollectionInterval);

        Run(evaluator, [.. Enumerable.Range(0, 7200).Select(s => (s, 50.0))]); // one sample a second for two hours

        var state = evaluator.ToState();
        Assert.InRange(state.TrendTimestampsMs.Length, 200, RuleEvaluator.TrendMaxSamples);
        Assert.True(state.TrendTimestampsMs[^1] - state.TrendTimestampsMs[0] >= 3_500_000);
    }

    private static readonly AlertRule Silence = new()
    {
        Id = "silent", Name = "silent", Kind = AlertRuleKind.NoData, Metric = "*", Intervals = 3, For = TimeSpan.FromMinutes(1),
        Severity = AlertSeverity.Critical,
    };

    [Fact]
    public void No_data_fires_after_its_intervals_and_for_on_the_wall_clock_stays_firing_and_resolves_on_the_next_sample()
    {
        var evaluator = Evaluator(Silence);
        var output = new List<AlertTransitioned>();
        // Sample timestamps do not matter to this rule: the collector's clock may be off, the series may backfill.
        evaluator.Evaluate(T(-5000), 1, [], nowMs: T(0), output);
        Assert.True(evaluator.CanChangeWithoutData);

        foreach (var s in new[] { 30, 60, 89 }) evaluator.CheckSilence(T(s), output);
        Assert.Empty(output);
        foreach (var s in new[] { 90, 120, 150, 3600 }) evaluator.CheckSilence(T(s), output); // 3 x 30 s silent, then 1 min of `for`
        Assert.False(evaluator.CanChangeWithoutData); // firing: only a sample can change it
        evaluator.Evaluate(T(-4000), 1, [], nowMs: T(4000), output);

        Assert.Equal(
            [(AlertState.Inactive, AlertState.Pending, T(90), 90.0), (AlertState.Pending, AlertState.Firing, T(150), 150.0), (AlertState.Firing, AlertState.Resolved, T(4000), 4000.0)],
            output.Select(e => (e.From, e.To, e.TimestampMs, e.Value)));
        Assert.All(output, e => Assert.Equal((AlertSeverity.Critical, 90.0), (e.Severity, e.Threshold)));
        Assert.All(output, e => Assert.StartsWith($"silent-{T(90)}-", e.AlertId));
        Assert.True(evaluator.CanChangeWithoutData);
    }

    [Fact]
    public void A_sample_during_the_pending_time_ends_the_no_data_episode_and_silence_counts_again_from_it()
    {
        var evaluator = Evaluator(Silence);
        var output = new List<AlertTransitioned>();
        evaluator.Evaluate(T(0), 1, [], nowMs: T(0), output);
        evaluator.CheckSilence(T(100), output);
        evaluator.Evaluate(T(100), 1, [], nowMs: T(110), output);
        evaluator.CheckSilence(T(190), output);
        evaluator.CheckSilence(T(200), output);

        Assert.Equal([(AlertState.Pending, T(100)), (AlertState.Inactive, T(110)), (AlertState.Pending, T(200))], output.Select(e => (e.To, e.TimestampMs)));
    }

    [Fact]
    public void A_no_data_rule_that_has_seen_no_sample_counts_silence_from_when_it_first_looked()
    {
        var evaluator = Evaluator(Silence with { For = TimeSpan.Zero });
        var output = new List<AlertTransitioned>();

        Assert.True(evaluator.CheckSilence(T(0), output)); // starts watching
        Assert.False(evaluator.CheckSilence(T(60), output));
        Assert.True(evaluator.CheckSilence(T(90), output));

        Assert.Equal(["Inactive->Firing:Critical@90"], output.Select(e => $"{e.From}->{e.To}:{e.Severity}@{(e.TimestampMs - Start) / 1000}"));
    }

    [Fact]
    public void A_no_data_evaluator_restored_from_its_state_remembers_when_the_last_sample_arrived()
    {
        var before = Evaluator(Silence with { For = TimeSpan.Zero });
        var output = new List<AlertTransitioned>();
        before.Evaluate(T(0), 1, [], nowMs: T(10), output);

        var restored = RuleEvaluator.FromState("web-1", "cpu.usage", Silence with { For = TimeSpan.Zero }, Flapping, CollectionInterval, before.ToState());
        restored.CheckSilence(T(100), output);

        Assert.Equal(T(10), before.ToState().LastArrivalMs);
        Assert.Equal([(AlertState.Firing, T(100), 90.0)], output.Select(e => (e.To, e.TimestampMs, e.Value)));
    }
}
