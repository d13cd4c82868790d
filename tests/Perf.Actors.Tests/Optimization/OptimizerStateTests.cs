using Perf.Actors.Configuration;
using Perf.Actors.Optimization;
using static Perf.Actors.Optimization.OptimizerEvents;

namespace Perf.Actors.Tests.Optimization;

public sealed class OptimizerStateTests
{
    private const long T0 = 1_700_000_000_000;
    private const long Step = 30_000; // samples 30 s apart
    private static readonly OptimizationPolicy Defaults = new(1024L * 1024 * 1024, "lru", TimeSpan.FromHours(1), "round_robin", 2, 10, 70, 30);
    private static readonly OptimizerSettings Settings = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), 80);

    /// <summary>Feeds (value, count) runs of cpu.usage 30 s apart from T0, applying every decision as the actor does.</summary>
    private static List<Recommendation> Feed(OptimizerState state, params (double Value, int Count)[] runs)
    {
        var made = new List<Recommendation>();
        var t = T0;
        foreach (var (value, count) in runs)
            for (var i = 0; i < count; i++, t += Step)
                if (state.Observe(OptimizerState.Cpu, t, value) is { } r)
                {
                    state.Apply(new RecommendationMade(r));
                    made.Add(r);
                }
        return made;
    }

    private static string Describe(List<Recommendation> made) =>
        string.Join(",", made.Select(r => $"{r.Action}@{(r.AtMs - T0) / 1000}s"));

    // Values, then the decisions with their sample offsets. 11 samples 30 s apart span 5 minutes (the sustain window).
    [Theory]
    [InlineData("85x11", "scale_up@300s")]                       // sustained: up exactly when the window is full
    [InlineData("85x10", "")]                                    // 4.5 minutes is not sustained
    [InlineData("50x4,95x6,50x10", "")]                          // a short spike does not scale
    [InlineData("85x10,65x1,85x10", "")]                         // a dip into the dead band restarts the window
    [InlineData("70x11", "scale_up@300s")]                       // at the threshold counts (>=)
    [InlineData("85x30", "scale_up@300s")]                       // 14.5 minutes: the next needs the cooldown and a new window
    [InlineData("85x31", "scale_up@300s,scale_up@900s")]         // ... which it gets at 15 minutes
    [InlineData("20x30", "")]                                    // already at min_instances: nothing to scale down
    [InlineData("85x11,20x11", "scale_up@300s")]                 // down after 5 minutes of low load, but within the cooldown
    [InlineData("85x11,20x20", "scale_up@300s,scale_down@900s")] // the cooldown, not the window, decides when
    [InlineData("85x11,20x40", "scale_up@300s,scale_down@900s")] // back at min_instances: no further scale down
    public void Scaling_decisions_follow_sustained_load_with_cooldown(string runs, string expected)
    {
        var state = new OptimizerState(Defaults, Settings);
        var parsed = runs.Split(',').Select(r => r.Split('x')).Select(p => (double.Parse(p[0]), int.Parse(p[1]))).ToArray();

        var made = Feed(state, parsed);

        Assert.Equal(expected, Describe(made));
    }

    [Fact]
    public void Instances_move_by_one_and_stay_within_the_bounds()
    {
        var state = new OptimizerState(Defaults with { MaxInstances = 4 }, Settings);

        var made = Feed(state, (95, 200)); // 100 minutes of overload

        Assert.Equal(["scale_up", "scale_up"], made.Select(r => r.Action));
        Assert.Equal(4, state.Instances);
        Assert.Equal([3.0, 4.0], made.Select(r => r.Evidence.Single(e => e.Name == "instances").Value));
    }

    [Fact]
    public void A_decision_carries_its_evidence()
    {
        var state = new OptimizerState(Defaults, Settings);

        var up = Assert.Single(Feed(state, (84, 5), (88, 6)));

        Assert.Equal("scaling", up.Kind);
        Assert.Equal(T0, up.WindowStartMs);
        var evidence = up.Evidence.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal(84, evidence["cpu.usage.min"]);
        Assert.Equal(88, evidence["cpu.usage.max"]);
        Assert.Equal(11, evidence["cpu.usage.samples"]);
        Assert.Equal(300, evidence["cpu.usage.window_seconds"]);
        Assert.Equal(70, evidence["scale_up_threshold"]);
        Assert.Equal(2, evidence["instances_before"]);
        Assert.Equal(3, evidence["instances"]);
        Assert.Contains("cpu.usage", up.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Scaling_down_needs_memory_low_too()
    {
        var state = new OptimizerState(Defaults, Settings);
        var made = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var t = T0 + i * Step;
            foreach (var (metric, value) in new[] { (OptimizerState.Memory, 60.0), (OptimizerState.Cpu, i <= 10 ? 85.0 : 10.0) })
                if (state.Observe(metric, t, value) is { } r)
                {
                    state.Apply(new RecommendationMade(r));
                    made.Add(r.Action);
                }
        }

        Assert.Equal(["scale_up"], made); // cpu idle for 25 minutes, but memory sits in the dead band
    }

    [Fact]
    public void A_policy_changes_the_thresholds_for_new_data()
    {
        var state = new OptimizerState(Defaults, Settings);
        state.Apply(new PolicySet(Defaults with { ScaleUpThreshold = 90 }, "scaling", 0));

        Assert.Empty(Feed(state, (85, 40)));
        Assert.Equal(90, state.Policy.ScaleUpThreshold);
    }

    [Fact]
    public void A_policy_change_withdraws_the_current_recommendation_of_its_kind_made_under_the_old_one()
    {
        var state = new OptimizerState(Defaults with { MaxInstances = 9 }, Settings);
        Feed(state, (85, 11));
        Assert.Equal("scale_up", Assert.Single(state.Current).Action);

        state.Apply(new PolicySet(Defaults with { MaxInstances = 9 }, "scaling", 0)); // the same values: it stands
        Assert.Single(state.Current);
        state.Apply(new PolicySet(Defaults with { MaxInstances = 9, EvictionPolicy = "lfu" }, "cache", 0)); // another kind
        Assert.Single(state.Current);
        state.Apply(new PolicySet(Defaults with { MaxInstances = 2 }, "scaling", 0));
        Assert.Empty(state.Current);
        Assert.Equal(2, state.Instances); // clamped to the new bound
    }

    [Fact]
    public void A_snapshot_keeps_the_policy_the_instances_and_the_current_decisions()
    {
        var state = new OptimizerState(Defaults, Settings);
        state.Apply(new PolicySet(Defaults with { MaxInstances = 7 }, "scaling", 0));
        Feed(state, (85, 11));

        var back = OptimizerState.FromSnapshot(state.ToSnapshot(), Defaults, Settings);

        Assert.Equal(7, back.Policy.MaxInstances);
        Assert.Equal(3, back.Instances);
        Assert.Equal("scale_up", Assert.Single(back.Current).Action);
    }

    // hit rate (percent), cache.size (MB) of max 1024 MB, samples: the decision or "".
    [Theory]
    [InlineData(60, 1000, 11, "grow_cache:1536")]  // full and missing: grow by half
    [InlineData(60, 1000, 10, "")]                 // not yet sustained
    [InlineData(60, 500, 11, "")]                  // missing, but not full: size is not the cause
    [InlineData(99.5, 200, 11, "shrink_cache:300")] // nearly all hits in a fifth of the space: 1.5 x what is used
    [InlineData(99.5, 900, 11, "")]                // nearly all hits, but the space is used
    [InlineData(90, 1000, 11, "")]                 // above the target
    public void Cache_recommendations(double hitRate, double sizeMb, int samples, string expected)
    {
        var state = new OptimizerState(Defaults, Settings);
        var made = new List<Recommendation>();
        for (var i = 0; i < samples; i++)
        {
            Assert.Null(state.Observe(OptimizerState.CacheSize, T0 + i * Step, sizeMb));
            if (state.Observe(OptimizerState.CacheHitRate, T0 + i * Step, hitRate) is { } r) made.Add(r);
        }

        Assert.Equal(expected, string.Join(",", made.Select(r => $"{r.Action}:{r.Evidence.Single(e => e.Name == "recommended_max_size_mb").Value}")));
    }

    [Fact]
    public void Cache_without_its_size_recommends_nothing()
    {
        var state = new OptimizerState(Defaults, Settings);
        for (var i = 0; i < 30; i++) Assert.Null(state.Observe(OptimizerState.CacheHitRate, T0 + i * Step, 10));
    }

    // response times of backends a, b, c (ms): the recommended weights.
    [Theory]
    [InlineData(100, 100, 0, "a=0.5,b=0.5")]
    [InlineData(100, 300, 0, "a=0.75,b=0.25")]
    [InlineData(100, 200, 400, "a=0.571,b=0.286,c=0.143")]
    public void Weighted_load_balancing_weights_are_inverse_to_response_time(double a, double b, double c, string expected)
    {
        var state = new OptimizerState(Defaults with { Algorithm = "weighted" }, Settings);
        Recommendation? made = null;
        for (var i = 0; i < 11 && made is null; i++)
        {
            var t = T0 + i * Step;
            made ??= state.Observe("lb.a.response_time", t, a);
            made ??= state.Observe("lb.b.response_time", t, b);
            if (c > 0) made ??= state.Observe("lb.c.response_time", t, c);
        }

        Assert.NotNull(made);
        Assert.Equal("set_weights", made.Action);
        Assert.Equal(expected, string.Join(",", made.Evidence.Where(e => e.Name.StartsWith("weight.", StringComparison.Ordinal))
            .Select(e => $"{e.Name[7..]}={e.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
    }

    [Theory]
    [InlineData("least_connections", "prefer_backend")]
    [InlineData("round_robin", "")]
    public void Other_load_balancing_algorithms(string algorithm, string expected)
    {
        var state = new OptimizerState(Defaults with { Algorithm = algorithm }, Settings);
        var made = new List<Recommendation>();
        for (var i = 0; i < 40; i++)
        {
            var t = T0 + i * Step;
            foreach (var (metric, value) in new[] { ("lb.a.connections", 50.0), ("lb.b.connections", 10.0), ("lb.a.response_time", 100.0) })
                if (state.Observe(metric, t, value) is { } r)
                {
                    state.Apply(new RecommendationMade(r));
                    made.Add(r);
                }
        }

        Assert.Equal(expected, string.Join(",", made.Select(r => r.Action))); // once: the same backend is not recommended again
        if (expected != "") Assert.Contains(made[0].Evidence, e => e.Name == "preferred.b");
    }

    [Theory]
    [InlineData("cpu.usage", true)]
    [InlineData("memory.usage", true)]
    [InlineData("cache.hit_rate", true)]
    [InlineData("lb.api-2.response_time", true)]
    [InlineData("lb.a.connections", true)]
    [InlineData("lb.a.errors", false)]
    [InlineData("disk.usage", false)]
    [InlineData("cpu.usage{region=\"eu\"}", false)]
    public void The_optimizer_watches_its_series_only(string metric, bool watched) =>
        Assert.Equal(watched, OptimizerState.Watches(metric));
}
