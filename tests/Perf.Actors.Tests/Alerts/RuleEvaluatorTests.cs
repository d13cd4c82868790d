using Perf.Actors.Alerts;
using Perf.Actors.Series;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Tests.Alerts;

public sealed class RuleEvaluatorTests
{
    private const long Start = 1_790_000_000_000;
    private static readonly FlappingSettings Flapping = new(TimeSpan.FromMinutes(30), 4);

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

    private static RuleEvaluator Evaluator(AlertRule? rule = null) => new("web-1", "cpu.usage", rule ?? Cpu, Flapping);

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
        var restored = RuleEvaluator.FromState("web-1", "cpu.usage", Cpu, Flapping, before.ToState());
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
        new RuleEvaluator("web-2", "cpu.usage", Cpu with { For = TimeSpan.Zero }, Flapping).Evaluate(T(0), 95, [], 0, otherHost);
        Assert.NotEqual(output[0].AlertId, otherHost[0].AlertId);
    }
}
