namespace Perf.Api.Ingest;

/// <summary>
/// The times a point may carry, as the JSON endpoint checks them: not older than the retention period, not further
/// ahead than <c>perf.ingest.max_future_skew</c>.
/// </summary>
public readonly record struct SampleWindow(long OldestMs, long NewestMs, TimeSpan Retention, TimeSpan FutureSkew)
{
    public static SampleWindow At(DateTimeOffset now, TimeSpan retention, TimeSpan futureSkew) => new(
        (now - retention).ToUnixTimeMilliseconds(), (now + futureSkew).ToUnixTimeMilliseconds(), retention, futureSkew);

    /// <summary>Null when <paramref name="timestampMs"/> may be stored, else why not.</summary>
    public string? Refuse(long timestampMs) =>
        timestampMs < OldestMs ? $"the time is older than the retention period ({Analytics.Time.DurationParser.Format(Retention)})"
        : timestampMs > NewestMs ? $"the time is more than {Analytics.Time.DurationParser.Format(FutureSkew)} in the future"
        : null;
}
