using Perf.Cli.Load;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

public sealed class PacedSchedulerTests
{
    [Fact]
    public void Spreads_batches_evenly_at_the_target_rate()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var scheduler = new PacedScheduler(pointsPerSecond: 10_000, clock);

        // Three workers asking at once for 1000 points each: 0, 100 and 200 ms.
        Assert.Equal(TimeSpan.Zero, scheduler.Reserve(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(100), scheduler.Reserve(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(200), scheduler.Reserve(1000));

        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.FromMilliseconds(50), scheduler.Reserve(1000));
    }

    [Fact]
    public void Does_not_burst_to_catch_up_after_an_idle_period()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var scheduler = new PacedScheduler(pointsPerSecond: 1000, clock);

        scheduler.Reserve(100);
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.Zero, scheduler.Reserve(100));
        Assert.Equal(TimeSpan.FromMilliseconds(100), scheduler.Reserve(100));
    }

    [Fact]
    public void A_rate_of_zero_never_waits()
    {
        var scheduler = new PacedScheduler(pointsPerSecond: 0, new ManualTimeProvider(DateTimeOffset.UnixEpoch));

        Assert.True(scheduler.IsUnlimited);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(TimeSpan.Zero, scheduler.Reserve(1_000_000)));
    }
}
