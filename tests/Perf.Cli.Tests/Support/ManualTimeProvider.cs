namespace Perf.Cli.Tests.Support;

/// <summary>A clock that only moves when the test says so; enough for code that reads time but sets no timers.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;
    private long timestamp;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => now;

    public override long GetTimestamp() => timestamp;

    public void Advance(TimeSpan by)
    {
        now += by;
        timestamp += by.Ticks;
    }
}
