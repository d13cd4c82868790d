namespace Perf.Cli.Load;

/// <summary>
/// How a recovery run ended. <see cref="Elapsed"/> runs until the last series answered 200, or until the
/// run gave up (timeout, cancellation, or every remaining series failed for good).
/// </summary>
public sealed record RecoveryOutcome(int SeriesCount, RecoverySnapshot Totals, TimeSpan Elapsed, bool Cancelled)
{
    public bool AllAnswered => Totals.Answered == SeriesCount;

    public double SeriesPerSecond => Elapsed > TimeSpan.Zero ? Totals.Answered / Elapsed.TotalSeconds : 0;
}
