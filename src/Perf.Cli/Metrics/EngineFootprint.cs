namespace Perf.Cli.Metrics;

/// <summary>The engine's memory use and number of live series at one moment, and the CPU time it spent during the run;
/// null where unknown.</summary>
public sealed record EngineFootprint(long? ResidentBytes, long? ActiveSeries, double? CpuSeconds = null)
{
    public static readonly EngineFootprint Unknown = new(null, null);

    /// <summary>Microseconds of engine CPU (user + system) per point, null unless the CPU time is known and points were.</summary>
    public double? CpuMicrosecondsPer(long points) => CpuSeconds is { } cpu && points > 0 ? cpu * 1e6 / points : null;

    /// <summary>Resident bytes per active series, null unless both are known and there is at least one series.</summary>
    public long? ResidentBytesPerSeries =>
        ResidentBytes is { } rss && ActiveSeries is > 0 ? rss / ActiveSeries.Value : null;
}
