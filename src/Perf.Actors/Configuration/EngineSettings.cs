namespace Perf.Actors.Configuration;

/// <summary>Engine knobs under <c>perf.*</c>: storage, ingestion limits, series storage, detection, queries, cluster.</summary>
public sealed record EngineSettings(
    string DataDirectory, string SqliteSynchronous, IngestSettings Ingest, SeriesSettings Series, DetectionSettings Detection, QuerySettings Query,
    ClusterSettings Cluster, OptimizerSettings Optimizer)
{
    public static EngineSettings Read(ConfigReader config) => new(
        config.String("perf.storage.data_dir"),
        config.OneOf("perf.storage.sqlite_synchronous", "normal", "full"),
        IngestSettings.Read(config),
        SeriesSettings.Read(config),
        DetectionSettings.Read(config),
        QuerySettings.Read(config),
        ClusterSettings.Read(config),
        OptimizerSettings.Read(config));
}

public sealed record IngestSettings(
    int QueueSize, int Parallelism, long MaxInFlightPoints, long MaxBodyBytes, TimeSpan MaxFutureSkew,
    TimeSpan OutOfOrderTolerance, int MaxSeriesPerHost, TimeSpan WriteTimeout, TimeSpan RetryAfter)
{
    public static IngestSettings Read(ConfigReader config) => new(
        config.Int("perf.ingest.queue_size", 1),
        config.Int("perf.ingest.parallelism", 1, 4096),
        config.Int("perf.ingest.max_inflight_points", 1),
        config.Bytes("perf.ingest.max_body_bytes", 1024),
        config.Duration("perf.ingest.max_future_skew", TimeSpan.Zero),
        config.Duration("perf.ingest.out_of_order_tolerance", TimeSpan.Zero),
        config.Int("perf.ingest.max_series_per_host", 1),
        config.Duration("perf.ingest.write_timeout", TimeSpan.FromMilliseconds(100)),
        config.Duration("perf.ingest.retry_after", TimeSpan.FromSeconds(1)));
}

public sealed record SeriesSettings(int SnapshotEvery, int ChunkMaxPoints, TimeSpan ChunkMaxSpan, TimeSpan PassivateAfter, TimeSpan RetentionPeriod, TimeSpan OutOfOrderTolerance)
{
    public long OutOfOrderToleranceMs => (long)OutOfOrderTolerance.TotalMilliseconds;

    public static SeriesSettings Read(ConfigReader config) => new(
        config.Int("perf.series.snapshot_every", 1),
        config.Int("perf.series.chunk_max_points", 2, 65536),
        config.Duration("perf.series.chunk_max_span", TimeSpan.FromSeconds(1)),
        config.Duration("perf.series.passivate_after", TimeSpan.FromSeconds(1)),
        config.Duration("performance.retention_period", TimeSpan.FromMinutes(1)),
        config.Duration("perf.ingest.out_of_order_tolerance", TimeSpan.Zero));
}

public sealed record QuerySettings(int MaxPoints, TimeSpan DefaultRange)
{
    public static QuerySettings Read(ConfigReader config) => new(
        config.Int("perf.query.max_points", 1),
        config.Duration("perf.query.default_range", TimeSpan.FromSeconds(1)));
}

public sealed record ClusterSettings(string Hostname, int Port, int Shards)
{
    public static ClusterSettings Read(ConfigReader config) => new(
        config.String("perf.cluster.hostname"),
        config.Int("perf.cluster.port", 0, 65535),
        config.Int("perf.cluster.shards", 1, 100_000));
}
