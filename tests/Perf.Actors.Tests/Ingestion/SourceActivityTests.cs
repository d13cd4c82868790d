using Perf.Actors.Ingestion;

namespace Perf.Actors.Tests.Ingestion;

public sealed class SourceActivityTests
{
    [Fact]
    public void A_host_is_silent_once_quiet_past_the_limit_and_forgotten_after_an_hour()
    {
        var clock = new MutableClock(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var sources = new SourceActivity(clock);
        Seen(sources, clock, "a", "b");

        clock.Now += TimeSpan.FromSeconds(60);
        Seen(sources, clock, "b");
        clock.Now += TimeSpan.FromSeconds(30);

        Assert.Equal(["a"], sources.Silent(TimeSpan.FromSeconds(45)).Select(s => s.Host));
        Assert.Equal(["a", "b"], sources.Silent(TimeSpan.FromSeconds(10)).Select(s => s.Host)); // oldest first

        clock.Now += SourceActivity.Memory - TimeSpan.FromSeconds(40); // a quiet for 1 h 0 min 50 s, b for 59 min 50 s
        Assert.Equal(["b"], sources.Silent(TimeSpan.FromSeconds(10)).Select(s => s.Host));
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Empty(sources.Silent(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(-299, true)] // a sample a few minutes late is still live
    [InlineData(-301, false)] // replayed history: the host is not a source that can fall silent
    [InlineData(60, true)] // a clock a little ahead
    public void Only_a_write_with_a_recent_sample_counts_as_its_host_sending(int newestSecondsFromNow, bool counted)
    {
        var clock = new MutableClock(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var sources = new SourceActivity(clock);
        sources.Seen("a", clock.Now.AddSeconds(newestSecondsFromNow).ToUnixTimeMilliseconds());

        clock.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(counted ? ["a"] : [], sources.Silent(TimeSpan.FromSeconds(30)).Select(s => s.Host));
    }

    private static void Seen(SourceActivity sources, MutableClock clock, params string[] hosts)
    {
        foreach (var host in hosts) sources.Seen(host, clock.Now.ToUnixTimeMilliseconds());
    }
}
