namespace Perf.Cli.Load;

/// <summary>
/// Walks a slice of series round-robin: each round visits every series of the slice exactly once, in order,
/// with one timestamp for the whole round. Not thread-safe: each load worker owns its own cycle.
/// </summary>
public sealed class SeriesCycle
{
    private readonly SeriesSlice slice;
    private readonly RoundTimestamps timestamps;
    private int offsetInRound;
    private long roundTimestampMs;

    public SeriesCycle(SeriesSlice slice, RoundTimestamps timestamps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slice.Count, 1);
        this.slice = slice;
        this.timestamps = timestamps;
        Round = -1;
    }

    /// <summary>The round of the most recently produced point; -1 before the first.</summary>
    public long Round { get; private set; }

    /// <summary>Appends the next <paramref name="count"/> points of the cycle to <paramref name="batch"/>.</summary>
    public void Fill(List<SeriesPoint> batch, int count)
    {
        for (var produced = 0; produced < count; produced++)
        {
            if (offsetInRound == 0)
            {
                Round++;
                roundTimestampMs = timestamps.Next();
            }

            var seriesIndex = slice.Start + offsetInRound;
            batch.Add(new SeriesPoint(seriesIndex, Round, roundTimestampMs, SyntheticValue(seriesIndex, Round)));
            offsetInRound = offsetInRound + 1 == slice.Count ? 0 : offsetInRound + 1;
        }
    }

    /// <summary>
    /// A smooth, deterministic wave per series (phase-shifted by its index) with two decimals: realistic enough
    /// for compression and detectors, and free of random spikes that would make alert load vary between runs.
    /// </summary>
    public static double SyntheticValue(int seriesIndex, long round) =>
        Math.Round(50 + 25 * Math.Sin(round * 0.05 + seriesIndex * 0.7), 2);
}
