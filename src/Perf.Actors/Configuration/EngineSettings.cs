namespace Perf.Actors.Configuration;

/// <summary>Engine knobs under <c>perf.*</c>: storage, ingestion limits, series storage, detection, queries, cluster.</summary>
/// <param name="MinFreeSpaceBytes"><c>perf.storage.min_free_space</c>: below this much room in the data directory, writes are
/// refused (507) so that reads, deletes and retention keep the room they need; 0 for none.</param>
public sealed record EngineSettings(
    string DataDirectory, string SqliteSynchronous, Storage.StorageProvider StorageProvider, string? PostgresConnectionString, IngestSettings Ingest, SeriesSettings Series, DetectionSettings Detection, QuerySettings Query,
    ClusterSettings Cluster, OptimizerSettings Optimizer, long MinFreeSpaceBytes)
{
    public static EngineSettings Read(ConfigReader config) => new(
        config.String("perf.storage.data_dir"),
        config.OneOf("perf.storage.sqlite_synchronous", "normal", "full"),
        Storage.StorageDatabase.ParseProvider(config.OneOf("perf.storage.provider", "sqlite", "postgresql")),
        PostgresConnection(config),
        IngestSettings.Read(config),
        SeriesSettings.Read(config),
        DetectionSettings.Read(config),
        QuerySettings.Read(config),
        ClusterSettings.Read(config),
        OptimizerSettings.Read(config),
        config.Bytes("perf.storage.min_free_space", 0));

    private static string? PostgresConnection(ConfigReader config)
    {
        var connection = config.OptionalString("perf.storage.postgresql.connection_string");
        if (config.OneOf("perf.storage.provider", "sqlite", "postgresql") == "postgresql" && connection is null)
            throw new PerfConfigurationException("perf.storage.postgresql.connection_string", "is required when perf.storage.provider = postgresql");
        if (connection is null) return null;
        try { _ = new Npgsql.NpgsqlConnectionStringBuilder(connection); }
        catch (ArgumentException e)
        {
            throw new PerfConfigurationException("perf.storage.postgresql.connection_string", $"is not an Npgsql connection string ({e.Message})");
        }
        return connection;
    }
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

/// <param name="Roles">worker (hosts the shards and singletons), api (serves HTTP through proxies), or both (embedded).</param>
/// <param name="SeedNodes">Akka addresses to join; none: a cluster of one that joins itself.</param>
/// <param name="DownUnreachableAfter">How long a member must stay unreachable (and the rest stable) before the split brain
/// resolver downs it (keep-majority) and its shards move to the survivors.</param>
public sealed record ClusterSettings(string Hostname, int Port, int Shards, IReadOnlyList<string> Roles, IReadOnlyList<string> SeedNodes,
    TimeSpan DownUnreachableAfter)
{
    public const string WorkerRole = "worker";
    public const string ApiRole = "api";

    public bool IsWorker => Roles.Contains(WorkerRole);

    public static ClusterSettings Read(ConfigReader config)
    {
        var roles = config.StringList("perf.cluster.roles").Select(r => r.ToLowerInvariant()).Distinct().ToArray();
        if (roles.Length == 0 || roles.Any(r => r is not (WorkerRole or ApiRole)))
            throw new PerfConfigurationException("perf.cluster.roles", "must list worker, api or both");
        var seeds = config.StringList("perf.cluster.seed_nodes");
        foreach (var seed in seeds)
            if (!Uri.TryCreate(seed, UriKind.Absolute, out var address) || address.Scheme != "akka.tcp" || address.Port <= 0)
                throw new PerfConfigurationException("perf.cluster.seed_nodes", $"'{seed}' is not an address like akka.tcp://perf@10.0.0.1:4053");
        if (!roles.Contains(WorkerRole) && seeds.Count == 0)
            throw new PerfConfigurationException("perf.cluster.seed_nodes", "an api-only node needs seed nodes: the workers it joins");
        return new ClusterSettings(
            config.String("perf.cluster.hostname"),
            config.Int("perf.cluster.port", 0, 65535),
            config.Int("perf.cluster.shards", 1, 100_000),
            roles,
            seeds,
            config.Duration("perf.cluster.down_unreachable_after", TimeSpan.FromSeconds(1)));
    }
}
