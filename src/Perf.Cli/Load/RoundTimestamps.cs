namespace Perf.Cli.Load;

/// <summary>
/// Hands out one timestamp per round: the wall clock in milliseconds, but always at least one millisecond
/// after the previous round. Every series therefore gets strictly increasing timestamps, and because the
/// values start from "now", a second run after the first does not go back in time (as long as the first
/// run did not produce rounds faster than one per millisecond for long).
/// </summary>
public sealed class RoundTimestamps(TimeProvider time)
{
    private long lastMs = long.MinValue;

    public long Next()
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        lastMs = lastMs == long.MinValue ? nowMs : Math.Max(nowMs, lastMs + 1);
        return lastMs;
    }
}
