using Perf.Actors.Ingestion;

namespace Perf.Actors.Tests.Ingestion;

public sealed class SourceActivityTests
{
    [Fact]
    public void A_host_is_silent_once_quiet_past_the_limit_and_forgotten_after_an_hour()
    {
        var clock = new MutableClock(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var sources = new SourceActivity(clock);
        sources.Seen(["a", "b"]);

        clock.Now += TimeSpan.FromSeconds(60);
        sources.Seen(["b"]);
        clock.Now += TimeSpan.FromSeconds(30);

        Assert.Equal(["a"], sources.Silent(TimeSpan.FromSeconds(45)).Select(s => s.Host));
        Assert.Equal(["a", "b"], sources.Silent(TimeSpan.FromSeconds(10)).Select(s => s.Host)); // oldest first

        clock.Now += SourceActivity.Memory - TimeSpan.FromSeconds(40); // a quiet for 1 h 0 min 50 s, b for 59 min 50 s
        Assert.Equal(["b"], sources.Silent(TimeSpan.FromSeconds(10)).Select(s => s.Host));
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Empty(sources.Silent(TimeSpan.FromSeconds(10)));
    }
}
