using Perf.Actors.Telemetry;
using static Perf.Actors.Telemetry.MetricsReader;

namespace Perf.Actors.Tests.Telemetry;

public sealed class FailureWindowTests
{
    private static Reading Failed(double count, string channel = "mail") =>
        new("perf.notifications.failed", "{delivery}", Kind.Counter, [new("channel", channel)], count);

    [Fact]
    public void A_failure_counts_until_it_leaves_the_window_per_tag_set_and_other_counters_are_ignored()
    {
        var window = new FailureWindow(TimeSpan.FromSeconds(10));
        Reading ingested = new("perf.points.ingested", "{point}", Kind.Counter, [], 500);

        Assert.Equal([2.0, 0.0], window.Add(0, [Failed(2), Failed(0, "hook"), ingested]).Select(r => r.Value));
        Assert.Equal([3.0, 1.0], window.Add(5_000, [Failed(1), Failed(1, "hook")]).Select(r => r.Value));
        Assert.Equal([1.0, 1.0], window.Add(10_000, [Failed(0), Failed(0, "hook")]).Select(r => r.Value)); // the first two have left
        Assert.Equal([0.0, 0.0], window.Add(15_000, [Failed(0), Failed(0, "hook")]).Select(r => r.Value));
    }
}
