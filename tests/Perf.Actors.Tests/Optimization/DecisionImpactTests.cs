using Perf.Actors.Optimization;

namespace Perf.Actors.Tests.Optimization;

public sealed class DecisionImpactTests
{
    private static Recommendation ScaleUp(long atMs, double cpuMean) => new("scaling", "scale_up", "cpu high", atMs, atMs - 300_000,
        [new Evidence("cpu.usage.mean", cpuMean), new Evidence("cpu.usage.window_seconds", 300), new Evidence("instances", 3)]);

    [Fact]
    public void The_impact_is_the_change_of_the_mean_over_the_same_window_after_the_decision()
    {
        var impact = new DecisionImpact();
        impact.Decided(ScaleUp(1_000_000, 80));

        Assert.Null(impact.Observe("cpu.usage", 1_000_000, 99)); // at the decision: not after it
        Assert.Null(impact.Observe("memory.usage", 1_100_000, 10)); // another metric
        foreach (var t in new[] { 1_060_000L, 1_120_000, 1_180_000, 1_240_000 }) Assert.Null(impact.Observe("cpu.usage", t, 60));

        var done = Assert.Single(impact.Observe("cpu.usage", 1_300_001, 50)!);
        Assert.Equal(("scaling", "cpu.usage", -25.0), done); // mean 60 after against 80 before
        Assert.Equal(0, impact.Watching);
    }

    [Fact]
    public void A_decision_without_a_mean_and_window_in_its_evidence_is_not_watched()
    {
        var impact = new DecisionImpact();
        impact.Decided(new Recommendation("cache", "grow", "hit rate low", 0, 0, [new Evidence("cache.hit_rate", 0.4)]));
        Assert.Equal(0, impact.Watching);
    }
}
