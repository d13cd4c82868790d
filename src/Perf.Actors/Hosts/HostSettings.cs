using Perf.Actors.Configuration;

namespace Perf.Actors.Hosts;

/// <summary>What a <see cref="HostActor"/> needs to know of the engine's configuration.</summary>
/// <param name="MaxSeries">the cardinality guard: series a host may have (<c>perf.ingest.max_series_per_host</c>).</param>
/// <param name="SnapshotEvery">a host snapshots after this many records at the latest (<c>perf.series.snapshot_every</c>),
/// and sooner once the records since its last snapshot outweigh it (so recovery replays little and the log stays small).</param>
/// <param name="RetentionPeriod">chunks whose newest point is older are dropped (<c>performance.retention_period</c>).</param>
public sealed record HostSettings(int MaxSeries, SealPolicy Seal, DetectionSettings Detection, int SnapshotEvery, TimeSpan RetentionPeriod)
{
    /// <summary>How often a host looks for chunks past the retention period (and once soon after it starts, at most half
    /// a minute later, so that a node that runs briefly still drops them).</summary>
    public TimeSpan RetentionCheckEvery { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The shard stops a host it has delivered nothing to for this long (<c>perf.series.passivate_after</c>); appends
    /// reach a running host without its shard, so the host shows the shard it is busy (<see cref="HostActor"/>).</summary>
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(10);

    public static HostSettings From(EngineSettings engine) =>
        new(engine.Ingest.MaxSeriesPerHost, SealPolicy.From(engine.Series), engine.Detection, engine.Series.SnapshotEvery, engine.Series.RetentionPeriod)
        {
            PassivateAfter = engine.Series.PassivateAfter,
        };
}
