namespace Perf.Actors.Alerts;

/// <summary>
/// What no-data rules measure against: a series is silent after <c>intervals × <paramref name="CollectionInterval"/></c>
/// (<c>performance.collection_interval</c>) without a sample, and it must keep its series actor from being passivated
/// after <paramref name="SeriesPassivateAfter"/> (<c>perf.series.passivate_after</c>) without a message while it watches.
/// </summary>
public sealed record NoDataSettings(TimeSpan CollectionInterval, TimeSpan SeriesPassivateAfter)
{
    /// <summary>How often a series' alerts look at the wall clock: every collection interval, and at least every
    /// <see cref="KeepAliveEvery"/>, so keep-alives are never more than two thirds of the passivation time apart.</summary>
    public TimeSpan CheckEvery => CollectionInterval < KeepAliveEvery ? CollectionInterval : KeepAliveEvery;

    /// <summary>How long a watching series may go without a message before its alerts send it a keep-alive.</summary>
    public TimeSpan KeepAliveEvery => SeriesPassivateAfter / 3;

    public long CollectionIntervalMs => (long)CollectionInterval.TotalMilliseconds;
}
