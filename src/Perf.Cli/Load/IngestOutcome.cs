namespace Perf.Cli.Load;

/// <summary>How an ingest run ended: its final tallies and how long it took, drain of in-flight requests included.</summary>
public sealed record IngestOutcome(IngestSnapshot Totals, TimeSpan Elapsed, bool Cancelled)
{
    public double AcceptedPointsPerSecond =>
        Elapsed > TimeSpan.Zero ? Totals.AcceptedPoints / Elapsed.TotalSeconds : 0;
}
