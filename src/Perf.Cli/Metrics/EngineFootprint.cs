namespace Perf.Cli.Metrics;

/// <summary>The engine's memory use and number of live series at one moment; null where unknown.</summary>
public sealed record EngineFootprint(long? ResidentBytes, long? ActiveSeries)
{
    public static readonly EngineFootprint Unknown = new(null, null);

    /// <summary>Resident bytes per active series, null unless both are known and there is at least one series.</summary>
    public long? ResidentBytesPerSeries =>
        ResidentBytes is { } rss && ActiveSeries is > 0 ? rss / ActiveSeries.Value : null;
}
