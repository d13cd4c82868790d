namespace Perf.Cli.Display;

/// <summary>Turns a growing total into the rate since the previous sample ("current" points/s).</summary>
public sealed class RateTracker
{
    private long previousTotal;
    private TimeSpan previousElapsed;

    public double Sample(long total, TimeSpan elapsed)
    {
        var interval = elapsed - previousElapsed;
        var rate = interval > TimeSpan.Zero ? (total - previousTotal) / interval.TotalSeconds : 0;
        previousTotal = total;
        previousElapsed = elapsed;
        return rate;
    }
}
