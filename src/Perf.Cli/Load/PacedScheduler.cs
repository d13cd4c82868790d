namespace Perf.Cli.Load;

/// <summary>
/// Spreads requests evenly over time for a target rate of points per second, shared by all workers.
/// Each reservation of N points takes the next free slot and moves it N/rate seconds on, so the offered
/// load is exactly the rate on average. An idle period does not bank credit: after a stall the driver
/// resumes at the target rate instead of bursting to catch up, which would distort the latencies.
/// A rate of 0 or less means "as fast as possible".
/// </summary>
public sealed class PacedScheduler
{
    private readonly double pointsPerSecond;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private long nextSlotTimestamp = long.MinValue;

    public PacedScheduler(double pointsPerSecond, TimeProvider time)
    {
        this.pointsPerSecond = pointsPerSecond;
        this.time = time;
    }

    public bool IsUnlimited => pointsPerSecond <= 0 || double.IsPositiveInfinity(pointsPerSecond);

    /// <summary>Reserves a slot for <paramref name="points"/> and says how long to wait before sending.</summary>
    public TimeSpan Reserve(int points)
    {
        if (IsUnlimited)
        {
            return TimeSpan.Zero;
        }

        var frequency = time.TimestampFrequency;
        var slotLength = (long)Math.Round(points / pointsPerSecond * frequency);
        lock (gate)
        {
            var now = time.GetTimestamp();
            var slot = Math.Max(now, nextSlotTimestamp);
            nextSlotTimestamp = slot + slotLength;
            return slot <= now ? TimeSpan.Zero : TimeSpan.FromSeconds((double)(slot - now) / frequency);
        }
    }

    public async ValueTask WaitAsync(int points, CancellationToken cancellationToken)
    {
        var delay = Reserve(points);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
