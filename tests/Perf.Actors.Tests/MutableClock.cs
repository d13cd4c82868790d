namespace Perf.Actors.Tests;

/// <summary>A clock the test moves by hand (retention depends on "now").</summary>
public sealed class MutableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}
