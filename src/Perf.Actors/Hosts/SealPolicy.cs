using Perf.Actors.Configuration;

namespace Perf.Actors.Hosts;

/// <summary>
/// When a series' points settle and are sealed: a point older than the series' newest by more than
/// <paramref name="ToleranceMs"/> is refused (so older head points can no longer change), and settled head points are
/// sealed as a chunk of <paramref name="MaxPoints"/> points, or fewer once they span <paramref name="MaxSpanMs"/>.
/// </summary>
public sealed record SealPolicy(long ToleranceMs, int MaxPoints, long MaxSpanMs)
{
    public static SealPolicy From(SeriesSettings settings) =>
        new(settings.OutOfOrderToleranceMs, settings.ChunkMaxPoints, (long)settings.ChunkMaxSpan.TotalMilliseconds);
}
