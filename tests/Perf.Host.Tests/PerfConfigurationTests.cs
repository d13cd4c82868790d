using System.Collections;
using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Perf.Actors.Configuration;
using Perf.Analytics.Detection;

namespace Perf.Host.Tests;

/// <summary>
/// <see cref="PerfConfiguration.Load"/> over the hocon files copied beside the test binaries. The environment is always
/// passed in as a <see cref="Hashtable"/>, so the real process environment never leaks into a test.
/// </summary>
public sealed class PerfConfigurationTests
{
    private static readonly string HoconDirectory = Path.Combine(AppContext.BaseDirectory, "hocon");

    private static PerfSettings Load(params (string Name, string Value)[] environment) => LoadBoth(environment).Settings;

    private static (Config Config, PerfSettings Settings) LoadBoth(params (string Name, string Value)[] environment) =>
        PerfConfiguration.Load(dataDirectory: null, environment: Environment(environment));

    private static Hashtable Environment(params (string Name, string Value)[] variables)
    {
        var table = new Hashtable();
        foreach (var (name, value) in variables) table[name] = value;
        return table;
    }

    /// <summary>The documented mapping: PERF_ + the key in capitals with '.' written as '__'.</summary>
    private static string VariableFor(string key) => PerfConfiguration.EnvironmentPrefix + key.ToUpperInvariant().Replace(".", "__", StringComparison.Ordinal);

    // ---------------------------------------------------------------------------------------------------------------
    // The hocon files

    [Fact]
    public void The_hocon_files_are_copied_beside_the_binaries()
    {
        Assert.True(File.Exists(Path.Combine(HoconDirectory, "perf.conf")), $"perf.conf missing in {HoconDirectory}");
        Assert.True(File.Exists(Path.Combine(HoconDirectory, "akka.conf")), $"akka.conf missing in {HoconDirectory}");
    }

    [Fact]
    public void Akka_settings_come_from_akka_conf()
    {
        var (config, _) = LoadBoth();

        Assert.Equal("INFO", config.GetString("akka.loglevel"));
        Assert.Equal(64, config.GetInt("akka.persistence.max-concurrent-recoveries"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.cluster.sharding.updating-state-timeout"));
    }

    [Fact]
    public void Reads_the_files_of_the_given_hocon_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "perf-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.Copy(Path.Combine(HoconDirectory, "akka.conf"), Path.Combine(directory, "akka.conf"));
            File.WriteAllText(
                Path.Combine(directory, "perf.conf"),
                File.ReadAllText(Path.Combine(HoconDirectory, "perf.conf")).Replace("retention_period = 30d", "retention_period = 14d", StringComparison.Ordinal));

            var (_, settings) = PerfConfiguration.Load(null, new Hashtable(), directory);

            Assert.Equal(TimeSpan.FromDays(14), settings.Performance.RetentionPeriod);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Defaults: the product document's Configuration sections (../shared/spec/performance-system.md)

    [Fact]
    public void Performance_defaults_are_the_product_documents()
    {
        var performance = Load().Performance;

        Assert.True(performance.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(30), performance.CollectionInterval);
        Assert.Equal(TimeSpan.FromDays(30), performance.RetentionPeriod);
        Assert.Equal(["cpu_usage", "memory_usage", "disk_usage", "network_usage"], performance.SystemMetrics);
        Assert.Equal(["response_time", "error_rate", "request_count"], performance.ApplicationMetrics);
        Assert.True(performance.Analysis.Enabled);
        Assert.Equal(0.8, performance.Analysis.Sensitivity);
        Assert.Equal(100, performance.Analysis.MinDataPoints);
        Assert.Equal(TimeSpan.FromHours(24), performance.Analysis.TrendWindow);
        Assert.Equal(0.9, performance.Analysis.TrendMinConfidence);
    }

    [Fact]
    public void Monitoring_defaults_are_the_product_documents()
    {
        var monitoring = Load().Monitoring;

        Assert.Equal(["cpu_usage", "memory_usage", "response_time"], monitoring.Thresholds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new ThresholdSettings(70, 90), monitoring.Thresholds["cpu_usage"]);
        Assert.Equal(new ThresholdSettings(80, 95), monitoring.Thresholds["memory_usage"]);
        // 500ms / 1000ms read as milliseconds.
        Assert.Equal(new ThresholdSettings(500, 1000), monitoring.Thresholds["response_time"]);
        Assert.True(monitoring.AlertsEnabled);
        Assert.Equal(["email", "slack"], monitoring.AlertChannels);
        Assert.Equal(TimeSpan.FromMinutes(5), monitoring.NotificationDelay);
    }

    [Fact]
    public void Optimization_defaults_are_the_product_documents()
    {
        var optimization = Load().Optimization;

        Assert.True(optimization.CacheEnabled);
        Assert.Equal(1024L * 1024 * 1024, optimization.CacheMaxSizeBytes);
        Assert.Equal(1_073_741_824L, optimization.CacheMaxSizeBytes);
        Assert.Equal("lru", optimization.CacheEvictionPolicy);
        Assert.Equal(TimeSpan.FromHours(1), optimization.CacheTtl);
        Assert.True(optimization.LoadBalancingEnabled);
        Assert.Equal("round_robin", optimization.LoadBalancingAlgorithm);
        Assert.Equal(TimeSpan.FromSeconds(30), optimization.HealthCheckInterval);
        Assert.True(optimization.ScalingEnabled);
        Assert.Equal(2, optimization.MinInstances);
        Assert.Equal(10, optimization.MaxInstances);
        Assert.Equal(70, optimization.ScaleUpThreshold);
        Assert.Equal(30, optimization.ScaleDownThreshold);
    }

    [Fact]
    public void Engine_defaults_are_perf_confs()
    {
        var engine = Load().Engine;

        Assert.Equal("./data", engine.DataDirectory);
        Assert.Equal("full", engine.SqliteSynchronous);
        Assert.Equal(64L * 1024 * 1024, engine.MinFreeSpaceBytes);
        Assert.Equal(new IngestSettings(
            QueueSize: 256, Parallelism: 32, MaxInFlightPoints: 2_000_000, MaxBodyBytes: 16L * 1024 * 1024,
            MaxFutureSkew: TimeSpan.FromMinutes(5), OutOfOrderTolerance: TimeSpan.FromMinutes(5), MaxSeriesPerHost: 10_000,
            WriteTimeout: TimeSpan.FromSeconds(30), RetryAfter: TimeSpan.FromSeconds(1)), engine.Ingest);
        Assert.Equal(new SeriesSettings(
            SnapshotEvery: 20_000, ChunkMaxPoints: 120, ChunkMaxSpan: TimeSpan.FromHours(2), PassivateAfter: TimeSpan.FromMinutes(2),
            RetentionPeriod: TimeSpan.FromDays(30), OutOfOrderTolerance: TimeSpan.FromMinutes(5)), engine.Series);
        Assert.Equal(new QuerySettings(MaxPoints: 11_000, DefaultRange: TimeSpan.FromHours(1)), engine.Query);
        Assert.Equal(("127.0.0.1", 0, 100), (engine.Cluster.Hostname, engine.Cluster.Port, engine.Cluster.Shards));
        Assert.Equal(["worker", "api"], engine.Cluster.Roles);
        Assert.Empty(engine.Cluster.SeedNodes);
    }

    [Fact]
    public void Protocol_defaults_are_perf_confs()
    {
        var protocols = Load().Protocols;

        Assert.Equal(128L * 1024 * 1024, protocols.MaxDecodedBytes);
        Assert.Equal("instance", protocols.RemoteWriteHostLabel);
        Assert.Equal("host", protocols.LineProtocolHostTag);
        Assert.Equal(["host.name"], protocols.OtlpHostAttributes);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Environment overrides

    /// <summary>Config key, value given as PERF_KEY__..., the setting it must produce (see <see cref="Describe"/>).</summary>
    public static readonly TheoryData<string, string, string> Overrides = new()
    {
        { "performance.enabled", "false", "false" },
        { "performance.enabled", "off", "false" },
        { "performance.collection_interval", "10s", "00:00:10" },
        { "performance.collection_interval", "1m30s", "00:01:30" },
        { "performance.collection_interval", "250ms", "00:00:00.2500000" },
        { "performance.retention_period", "7d", "7.00:00:00" },
        { "performance.retention_period", "2w", "14.00:00:00" },
        { "performance.retention_period", "12h", "12:00:00" },
        { "performance.metrics.system", "[cpu_usage, memory_usage]", "cpu_usage,memory_usage" },
        { "performance.metrics.application", "[response_time]", "response_time" },
        { "performance.analysis.enabled", "no", "false" },
        { "performance.analysis.anomaly_detection.sensitivity", "0.5", "0.5" },
        { "performance.analysis.anomaly_detection.sensitivity", "1", "1" },
        { "performance.analysis.anomaly_detection.min_data_points", "250", "250" },
        { "performance.analysis.trend_analysis.window_size", "7d", "7.00:00:00" },
        { "performance.analysis.trend_analysis.min_confidence", "0.95", "0.95" },
        { "monitoring.thresholds.cpu_usage.warning", "60", "60" },
        { "monitoring.thresholds.cpu_usage.critical", "99.5", "99.5" },
        { "monitoring.thresholds.memory_usage.warning", "85", "85" },
        { "monitoring.thresholds.memory_usage.critical", "98", "98" },
        { "monitoring.thresholds.response_time.warning", "250ms", "250" },
        { "monitoring.thresholds.response_time.warning", "300", "300" },
        { "monitoring.thresholds.response_time.critical", "2s", "2000" },
        { "monitoring.alerts.enabled", "false", "false" },
        { "monitoring.alerts.channels", "[slack, pagerduty]", "slack,pagerduty" },
        { "monitoring.alerts.notification_delay", "30s", "00:00:30" },
        { "monitoring.alerts.notification_delay", "0s", "00:00:00" },
        { "optimization.cache.enabled", "false", "false" },
        { "optimization.cache.max_size", "512KB", "524288" },
        { "optimization.cache.max_size", "2GB", "2147483648" },
        { "optimization.cache.max_size", "1.5MB", "1572864" },
        { "optimization.cache.max_size", "4096", "4096" },
        { "optimization.cache.eviction_policy", "lfu", "lfu" },
        { "optimization.cache.eviction_policy", "FIFO", "fifo" },
        { "optimization.cache.ttl", "15m", "00:15:00" },
        { "optimization.load_balancing.enabled", "false", "false" },
        { "optimization.load_balancing.algorithm", "least_connections", "least_connections" },
        { "optimization.load_balancing.algorithm", "weighted", "weighted" },
        { "optimization.load_balancing.health_check_interval", "5s", "00:00:05" },
        { "optimization.scaling.enabled", "false", "false" },
        { "optimization.scaling.min_instances", "3", "3" },
        { "optimization.scaling.min_instances", "10", "10" },
        { "optimization.scaling.max_instances", "20", "20" },
        { "optimization.scaling.scale_up_threshold", "85.5", "85.5" },
        { "optimization.scaling.scale_down_threshold", "10", "10" },
        { "perf.storage.data_dir", "/var/lib/perf", "/var/lib/perf" },
        { "perf.storage.sqlite_synchronous", "normal", "normal" },
        { "perf.storage.sqlite_synchronous", "FULL", "full" },
        { "perf.ingest.queue_size", "1024", "1024" },
        { "perf.ingest.parallelism", "8", "8" },
        { "perf.ingest.max_inflight_points", "500000", "500000" },
        { "perf.ingest.max_body_bytes", "512KB", "524288" },
        { "perf.ingest.max_body_bytes", "64MB", "67108864" },
        { "perf.ingest.max_future_skew", "1m", "00:01:00" },
        { "perf.ingest.out_of_order_tolerance", "0s", "00:00:00" },
        { "perf.ingest.max_series_per_host", "500", "500" },
        { "perf.ingest.write_timeout", "5s", "00:00:05" },
        { "perf.ingest.retry_after", "3s", "00:00:03" },
        { "perf.protocols.max_decoded_bytes", "256MB", "268435456" },
        { "perf.protocols.remote_write.host_label", "host", "host" },
        { "perf.protocols.line_protocol.host_tag", "hostname", "hostname" },
        { "perf.protocols.otlp.host_attributes", "host.name,service.instance.id", "host.name,service.instance.id" },
        { "perf.series.snapshot_every", "1000", "1000" },
        { "perf.series.chunk_max_points", "240", "240" },
        { "perf.series.chunk_max_span", "30m", "00:30:00" },
        { "perf.series.passivate_after", "10m", "00:10:00" },
        { "perf.detection.families.default.match", "app.*,web.*", "app.*,web.*" },
        { "perf.detection.families.default.detectors", "ensemble", "ensemble" },
        { "perf.detection.families.utilisation.match", "[\"cpu.*\", gpu.usage]", "cpu.*,gpu.usage" },
        { "perf.detection.families.utilisation.detectors", "[iid-spike]", "iid-spike" },
        { "perf.detection.families.capacity.match", "memory.*", "memory.*" },
        { "perf.detection.families.capacity.detectors", "ensemble,ssa-changepoint", "ensemble,ssa-changepoint" },
        { "perf.detection.families.latency.match", "*p99*", "*p99*" },
        { "perf.detection.families.latency.detectors", "[iid-spike, sr]", "iid-spike,sr" },
        { "perf.detection.families.latency.options.iid-spike.side", "negative", "Negative" },
        { "perf.detection.families.latency.options.iid-spike.side", "TwoSided", "TwoSided" },
        { "perf.detection.families.traffic.match", "net.*", "net.*" },
        { "perf.detection.families.traffic.detectors", "[ensemble]", "ensemble" },
        { "perf.detection.families.traffic.min_data_points", "300", "300" },
        { "perf.detection.max_anomalies_per_series", "50", "50" },
        { "perf.detection.options.iid-changepoint.martingale", "power", "Power" },
        { "perf.detection.options.iid-changepoint.martingale", "Mixture", "Mixture" },
        { "perf.detection.options.ensemble.history_length", "1000", "1000" },
        { "perf.alerts.for", "5m", "00:05:00" },
        { "perf.alerts.for", "0s", "00:00:00" },
        { "perf.alerts.resolve_margin_percent", "10", "10" },
        { "perf.alerts.flapping.window", "1h", "01:00:00" },
        { "perf.alerts.flapping.changes", "6", "6" },
        { "perf.notifications.repeat_interval", "30m", "00:30:00" },
        { "perf.notifications.retry.initial", "500ms", "00:00:00.5000000" },
        { "perf.notifications.retry.max", "5m", "00:05:00" },
        { "perf.notifications.retry.attempts", "3", "3" },
        { "perf.query.max_points", "500", "500" },
        { "perf.query.default_range", "6h", "06:00:00" },
        { "perf.optimization.sustain", "2m", "00:02:00" },
        { "perf.optimization.sustain", "0s", "00:00:00" },
        { "perf.optimization.cooldown", "30m", "00:30:00" },
        { "perf.optimization.cache_hit_target", "92.5", "92.5" },
        { "perf.cluster.hostname", "10.0.0.5", "10.0.0.5" },
        { "perf.cluster.port", "4053", "4053" },
        { "perf.cluster.shards", "300", "300" },
        { "perf.security.admin_key", "an-admin-key-of-enough-length", "an-admin-key-of-enough-length" },
        { "perf.storage.provider", "sqlite", "Sqlite" },
        { "perf.storage.postgresql.connection_string", "Host=db;Database=perf", "Host=db;Database=perf" },
        { "perf.cluster.roles", "worker", "worker" },
        { "perf.cluster.down_unreachable_after", "5s", "00:00:05" },
        { "perf.cluster.roles", "api,worker", "api,worker" },
        { "perf.cluster.seed_nodes", "akka.tcp://perf@10.0.0.1:4053,akka.tcp://perf@10.0.0.2:4053", "akka.tcp://perf@10.0.0.1:4053,akka.tcp://perf@10.0.0.2:4053" },
        { "perf.security.jwt.enabled", "false", "false" },
        { "perf.security.jwt.algorithm", "rs256", "RS256" },
        { "perf.security.jwt.secret", "a-shared-secret-of-32-characters!", "a-shared-secret-of-32-characters!" },
        { "perf.security.jwt.public_key_file", "/etc/perf/issuer.pem", "/etc/perf/issuer.pem" },
        { "perf.security.jwt.issuer", "https://login.example.com", "https://login.example.com" },
        { "perf.security.jwt.audience", "perf", "perf" },
        { "perf.security.jwt.role_claim", "perf_role", "perf_role" },
        { "perf.security.jwt.hosts_claim", "hosts", "hosts" },
        { "perf.security.rate_limit.requests_per_second", "50", "50" },
        { "perf.security.rate_limit.burst", "75", "75" },
        { "perf.security.rate_limit.unauthenticated_requests_per_second", "3", "3" },
        { "perf.security.rate_limit.unauthenticated_burst", "6", "6" },
        { "perf.security.max_request_bytes", "256KB", "262144" },
        { "perf.security.request_timeout", "2m", "00:02:00" },
        { "perf.security.public_metrics", "true", "true" },
        { "perf.loadtest.allowed_targets", "[\"*.staging.example.com\", 10.0.0.7]", "*.staging.example.com,10.0.0.7" },
        { "perf.loadtest.max_running", "4", "4" },
        { "perf.loadtest.max_in_flight", "64", "64" },
        { "perf.loadtest.request_timeout", "2s", "00:00:02" },
        { "perf.loadtest.operator.max_rate", "200", "200" },
        { "perf.loadtest.operator.max_concurrency", "20", "20" },
        { "perf.loadtest.operator.max_duration", "5m", "00:05:00" },
        { "perf.loadtest.admin.max_rate", "50000", "50000" },
        { "perf.loadtest.admin.max_concurrency", "5000", "5000" },
        { "perf.loadtest.admin.max_duration", "2h", "02:00:00" },
        { "perf.dashboard.refresh_interval", "1s", "00:00:01" },
        { "perf.self_monitoring.enabled", "false", "false" },
        { "perf.self_monitoring.interval", "5s", "00:00:05" },
        { "perf.self_monitoring.disk_quota", "50GB", "53687091200" },
        { "perf.storage.min_free_space", "1GB", "1073741824" },
        { "perf.storage.min_free_space", "0", "0" },
        { "perf.self_monitoring.failure_window", "30m", "00:30:00" },
    };

    [Theory]
    [MemberData(nameof(Overrides))]
    public void An_environment_variable_overrides_its_key(string key, string value, string expected)
    {
        var settings = Load((VariableFor(key), value));

        Assert.Equal(expected, Describe(Setting(settings, key)));
    }

    [Fact]
    public void Every_key_in_perf_conf_has_an_override_case()
    {
        var covered = Overrides.Select(row => row.Data.Item1).ToHashSet(StringComparer.Ordinal);
        var keys = LeafKeys(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(HoconDirectory, "perf.conf"))).Root, "");

        var uncovered = keys.Where(key => !covered.Contains(key)).ToList();

        Assert.NotEmpty(covered);
        Assert.Empty(uncovered);
    }

    [Theory]
    [InlineData("cpu.usage", "utilisation")]
    [InlineData("gpu0.utilization", "utilisation")]
    [InlineData("memory.used", "capacity")]
    [InlineData("disk.usage", "capacity")]
    [InlineData("application.response_time", "latency")]
    [InlineData("http.error_rate", "latency")]
    [InlineData("db.query_latency_p99", "latency")]
    [InlineData("network.bytes_in", "traffic")]
    [InlineData("application.request_count", "traffic")]
    [InlineData("temperature", "default")]
    public void Each_metric_runs_the_detectors_of_its_most_specific_family(string metric, string family)
    {
        var settings = Load();

        Assert.Equal(family, settings.Engine.Detection.For(metric).Family);
    }

    [Fact]
    public void The_shipped_families_run_the_ensemble_and_only_capacity_skips_the_spike_detector()
    {
        var detection = Load().Engine.Detection;

        Assert.All(detection.Families, f => Assert.Contains(f.Detectors.Detectors, d => d.Name == "ensemble"));
        Assert.DoesNotContain(detection.For("memory.used").Detectors, d => d.Name == "iid-spike");
        Assert.Equal(AnomalySide.Positive, ((IidSpikeDetector)detection.For("application.response_time").Detectors.Single(d => d.Name == "iid-spike").Create()).Options.Side);
        Assert.Equal(99.9, ((IidSpikeDetector)detection.For("cpu.usage").Detectors.Single(d => d.Name == "iid-spike").Create()).Options.Confidence);
        Assert.Equal(150, detection.For("network.bytes_in").MinDataPoints);
        Assert.Equal(100, detection.For("cpu.usage").MinDataPoints);
    }

    [Fact]
    public void Sensitivity_and_min_data_points_of_the_document_reach_the_detectors()
    {
        var detection = Load(("PERF_PERFORMANCE__ANALYSIS__ANOMALY_DETECTION__SENSITIVITY", "1"),
            ("PERF_PERFORMANCE__ANALYSIS__ANOMALY_DETECTION__MIN_DATA_POINTS", "20")).Engine.Detection;

        var cpu = detection.For("cpu.usage");
        var ensemble = (EnsembleDetector)cpu.Detectors.Single(d => d.Name == "ensemble").Create();
        Assert.Equal(1, ensemble.Options.Sensitivity);
        Assert.Equal(20, ensemble.Options.MinDataPoints);
        Assert.Equal(20, cpu.MinDataPoints);
        Assert.Equal(99, ((IidSpikeDetector)cpu.Detectors.Single(d => d.Name == "iid-spike").Create()).Options.Confidence);
        Assert.Equal(150, detection.For("network.bytes_in").MinDataPoints); // the family's own value wins
    }

    [Fact]
    public void The_documents_thresholds_become_alert_rules_on_the_series_they_name()
    {
        var alerts = Load(("PERF_MONITORING__THRESHOLDS__DISK_USAGE__WARNING", "85"), ("PERF_MONITORING__THRESHOLDS__DISK_USAGE__CRITICAL", "95")).Alerts;
        var documents = alerts.DefaultRules.Where(r => r.Host != SelfMonitoringSettings.Host).ToArray();

        Assert.Equal(
            [("cpu_usage", "cpu.usage", 70.0, 90.0), ("disk_usage", "disk.usage", 85, 95), ("memory_usage", "memory.usage", 80, 95),
             ("response_time", "application.response_time", 500, 1000)],
            documents.Select(r => (r.Id, r.Metric, r.Warning!.Value, r.Critical!.Value)));
        Assert.All(documents, r => Assert.Equal(TimeSpan.FromMinutes(1), r.For));
        Assert.Equal(3.5, documents.Single(r => r.Id == "cpu_usage").ResolveMargin);
    }

    [Theory]
    [InlineData("true", 9)]
    [InlineData("false", 0)]
    public void The_system_alert_rules_come_with_self_monitoring(string enabled, int systemRules)
    {
        var rules = Load(("PERF_PERF__SELF_MONITORING__ENABLED", enabled)).Alerts.DefaultRules;

        Assert.Equal(systemRules, rules.Count(r => r.Host == SelfMonitoringSettings.Host && r.Id.StartsWith("system_", StringComparison.Ordinal)));
        Assert.Equal(3, rules.Count(r => r.Host == "*")); // cpu_usage, memory_usage, response_time
    }

    [Fact]
    public void Analysis_switched_off_runs_no_detectors()
    {
        var detection = Load(("PERF_PERFORMANCE__ANALYSIS__ENABLED", "false")).Engine.Detection;

        Assert.Same(DetectorSet.None, detection.For("cpu.usage"));
    }

    [Fact]
    public void The_documented_examples_work()
    {
        var settings = Load(("PERF_PERFORMANCE__RETENTION_PERIOD", "7d"), ("PERF_PERF__INGEST__MAX_SERIES_PER_HOST", "500"));

        Assert.Equal(TimeSpan.FromDays(7), settings.Performance.RetentionPeriod);
        Assert.Equal(500, settings.Engine.Ingest.MaxSeriesPerHost);
    }

    [Fact]
    public void Retention_override_also_reaches_the_series_settings()
    {
        var settings = Load(("PERF_PERFORMANCE__RETENTION_PERIOD", "7d"));

        Assert.Equal(TimeSpan.FromDays(7), settings.Engine.Series.RetentionPeriod);
    }

    [Fact]
    public void Out_of_order_tolerance_override_reaches_ingest_and_series()
    {
        var settings = Load(("PERF_PERF__INGEST__OUT_OF_ORDER_TOLERANCE", "90s"));

        Assert.Equal(TimeSpan.FromSeconds(90), settings.Engine.Ingest.OutOfOrderTolerance);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Engine.Series.OutOfOrderTolerance);
    }

    [Fact]
    public void Several_overrides_apply_together_and_leave_the_rest_alone()
    {
        var settings = Load(
            ("PERF_OPTIMIZATION__SCALING__MIN_INSTANCES", "4"),
            ("PERF_OPTIMIZATION__SCALING__MAX_INSTANCES", "40"),
            ("PERF_MONITORING__THRESHOLDS__CPU_USAGE__WARNING", "50"),
            ("PERF_MONITORING__THRESHOLDS__CPU_USAGE__CRITICAL", "60"));

        Assert.Equal(4, settings.Optimization.MinInstances);
        Assert.Equal(40, settings.Optimization.MaxInstances);
        Assert.Equal(new ThresholdSettings(50, 60), settings.Monitoring.Thresholds["cpu_usage"]);
        Assert.Equal(new ThresholdSettings(80, 95), settings.Monitoring.Thresholds["memory_usage"]);
        Assert.Equal(new ThresholdSettings(500, 1000), settings.Monitoring.Thresholds["response_time"]);
        Assert.Equal(TimeSpan.FromDays(30), settings.Performance.RetentionPeriod);
    }

    [Fact]
    public void A_new_threshold_can_be_added_from_the_environment()
    {
        var settings = Load(
            ("PERF_MONITORING__THRESHOLDS__DISK_USAGE__WARNING", "85"),
            ("PERF_MONITORING__THRESHOLDS__DISK_USAGE__CRITICAL", "95"));

        Assert.Equal(new ThresholdSettings(85, 95), settings.Monitoring.Thresholds["disk_usage"]);
        Assert.Equal(4, settings.Monitoring.Thresholds.Count);
    }

    [Fact]
    public void Values_are_taken_literally_not_as_hocon()
    {
        var settings = Load(("PERF_PERF__STORAGE__DATA_DIR", @"C:\perf ""data"" ${HOME} # not a comment"));

        Assert.Equal(@"C:\perf ""data"" ${HOME} # not a comment", settings.Engine.DataDirectory);
    }

    [Fact]
    public void Akka_keys_can_be_overridden_too()
    {
        var (config, _) = LoadBoth(
            ("PERF_AKKA__LOGLEVEL", "DEBUG"),
            ("PERF_AKKA__PERSISTENCE__MAX-CONCURRENT-RECOVERIES", "16"));

        Assert.Equal("DEBUG", config.GetString("akka.loglevel"));
        Assert.Equal(16, config.GetInt("akka.persistence.max-concurrent-recoveries"));
        Assert.Equal(200, config.GetInt("akka.persistence.journal.sql.batch-size"));
    }

    [Fact]
    public void The_returned_config_carries_the_overrides()
    {
        var (config, _) = LoadBoth(("PERF_PERFORMANCE__RETENTION_PERIOD", "7d"));

        Assert.Equal("7d", config.GetString("performance.retention_period"));
        Assert.Equal("30s", config.GetString("performance.collection_interval"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Invalid values

    /// <summary>Config key set through the environment, its value, and the key the error must name.</summary>
    public static readonly TheoryData<string, string, string> InvalidValues = new()
    {
        { "performance.enabled", "maybe", "performance.enabled" },
        { "performance.enabled", "1", "performance.enabled" },
        { "performance.collection_interval", "soon", "performance.collection_interval" },
        { "performance.collection_interval", "-5s", "performance.collection_interval" },
        { "performance.collection_interval", "0s", "performance.collection_interval" },
        { "performance.collection_interval", "30S", "performance.collection_interval" },
        { "performance.retention_period", "banana", "performance.retention_period" },
        { "performance.retention_period", "", "performance.retention_period" },
        { "performance.retention_period", "30s", "performance.retention_period" },
        { "performance.retention_period", "7 days", "performance.retention_period" },
        { "performance.analysis.enabled", "sometimes", "performance.analysis.enabled" },
        { "performance.analysis.anomaly_detection.sensitivity", "1.5", "performance.analysis.anomaly_detection.sensitivity" },
        { "performance.analysis.anomaly_detection.sensitivity", "-0.1", "performance.analysis.anomaly_detection.sensitivity" },
        { "performance.analysis.anomaly_detection.sensitivity", "high", "performance.analysis.anomaly_detection.sensitivity" },
        { "performance.analysis.anomaly_detection.sensitivity", "NaN", "performance.analysis.anomaly_detection.sensitivity" },
        { "performance.analysis.anomaly_detection.sensitivity", "0,5", "performance.analysis.anomaly_detection.sensitivity" },
        { "performance.analysis.anomaly_detection.min_data_points", "0", "performance.analysis.anomaly_detection.min_data_points" },
        { "performance.analysis.anomaly_detection.min_data_points", "12.5", "performance.analysis.anomaly_detection.min_data_points" },
        { "performance.analysis.trend_analysis.window_size", "30s", "performance.analysis.trend_analysis.window_size" },
        { "performance.analysis.trend_analysis.min_confidence", "2", "performance.analysis.trend_analysis.min_confidence" },
        { "monitoring.thresholds.cpu_usage.warning", "hot", "monitoring.thresholds.cpu_usage.warning" },
        { "monitoring.thresholds.cpu_usage.critical", "60", "monitoring.thresholds.cpu_usage.critical" },
        { "monitoring.thresholds.memory_usage.warning", "99", "monitoring.thresholds.memory_usage.critical" },
        { "monitoring.thresholds.response_time.warning", "fast", "monitoring.thresholds.response_time.warning" },
        { "monitoring.thresholds.response_time.critical", "400ms", "monitoring.thresholds.response_time.critical" },
        { "monitoring.thresholds.response_time.warning", "2s", "monitoring.thresholds.response_time.critical" },
        { "monitoring.alerts.enabled", "yes please", "monitoring.alerts.enabled" },
        { "monitoring.alerts.notification_delay", "later", "monitoring.alerts.notification_delay" },
        { "optimization.cache.enabled", "nope", "optimization.cache.enabled" },
        { "optimization.cache.max_size", "huge", "optimization.cache.max_size" },
        { "optimization.cache.max_size", "10TB", "optimization.cache.max_size" },
        { "optimization.cache.max_size", "-1MB", "optimization.cache.max_size" },
        { "optimization.cache.eviction_policy", "random", "optimization.cache.eviction_policy" },
        { "optimization.cache.eviction_policy", "", "optimization.cache.eviction_policy" },
        { "optimization.cache.ttl", "-1h", "optimization.cache.ttl" },
        { "optimization.load_balancing.enabled", "maybe", "optimization.load_balancing.enabled" },
        { "optimization.load_balancing.algorithm", "random", "optimization.load_balancing.algorithm" },
        { "optimization.load_balancing.health_check_interval", "500ms", "optimization.load_balancing.health_check_interval" },
        { "optimization.scaling.enabled", "perhaps", "optimization.scaling.enabled" },
        { "optimization.scaling.min_instances", "-1", "optimization.scaling.min_instances" },
        { "optimization.scaling.min_instances", "20", "optimization.scaling.max_instances" },
        { "optimization.scaling.max_instances", "1", "optimization.scaling.max_instances" },
        { "optimization.scaling.max_instances", "0", "optimization.scaling.max_instances" },
        { "optimization.scaling.max_instances", "ten", "optimization.scaling.max_instances" },
        { "optimization.scaling.scale_up_threshold", "150", "optimization.scaling.scale_up_threshold" },
        { "optimization.scaling.scale_up_threshold", "20", "optimization.scaling.scale_down_threshold" },
        { "optimization.scaling.scale_down_threshold", "70", "optimization.scaling.scale_down_threshold" },
        { "optimization.scaling.scale_down_threshold", "80", "optimization.scaling.scale_down_threshold" },
        { "optimization.scaling.scale_down_threshold", "-5", "optimization.scaling.scale_down_threshold" },
        { "perf.storage.data_dir", "  ", "perf.storage.data_dir" },
        { "perf.storage.sqlite_synchronous", "off", "perf.storage.sqlite_synchronous" },
        { "perf.storage.sqlite_synchronous", "normal; DROP TABLE series_chunks", "perf.storage.sqlite_synchronous" },
        { "perf.ingest.queue_size", "0", "perf.ingest.queue_size" },
        { "perf.ingest.parallelism", "0", "perf.ingest.parallelism" },
        { "perf.ingest.parallelism", "5000", "perf.ingest.parallelism" },
        { "perf.ingest.max_inflight_points", "3000000000", "perf.ingest.max_inflight_points" },
        { "perf.ingest.max_body_bytes", "huge", "perf.ingest.max_body_bytes" },
        { "perf.ingest.max_body_bytes", "512", "perf.ingest.max_body_bytes" },
        { "perf.ingest.max_body_bytes", "16 parsecs", "perf.ingest.max_body_bytes" },
        { "perf.ingest.max_future_skew", "ahead", "perf.ingest.max_future_skew" },
        { "perf.ingest.out_of_order_tolerance", "-1m", "perf.ingest.out_of_order_tolerance" },
        { "perf.ingest.max_series_per_host", "0", "perf.ingest.max_series_per_host" },
        { "perf.ingest.write_timeout", "50ms", "perf.ingest.write_timeout" },
        { "perf.ingest.retry_after", "500ms", "perf.ingest.retry_after" },
        { "perf.protocols.max_decoded_bytes", "1KB", "perf.protocols.max_decoded_bytes" },
        { "perf.protocols.remote_write.host_label", " ", "perf.protocols.remote_write.host_label" },
        { "perf.protocols.otlp.host_attributes", ",", "perf.protocols.otlp.host_attributes" },
        { "perf.series.snapshot_every", "0", "perf.series.snapshot_every" },
        { "perf.series.chunk_max_points", "1", "perf.series.chunk_max_points" },
        { "perf.series.chunk_max_points", "70000", "perf.series.chunk_max_points" },
        { "perf.series.chunk_max_span", "500ms", "perf.series.chunk_max_span" },
        { "perf.series.passivate_after", "0s", "perf.series.passivate_after" },
        { "perf.detection.families.default.detectors", "[ensemble, prophet]", "perf.detection.families.default.detectors" },
        { "perf.detection.families.default.detectors", "ensemble,ensemble", "perf.detection.families.default.detectors" },
        { "perf.detection.families.latency.detectors", "ensemble", "perf.detection.families.latency.options.iid-spike" },
        { "perf.detection.families.latency.options.iid-spike.side", "upwards", "perf.detection.families.latency.options.iid-spike" },
        { "perf.detection.families.latency.options.iid-spike.confidence", "100", "perf.detection.families.latency.options.iid-spike" },
        { "perf.detection.families.latency.options.iid-spike.colour", "red", "perf.detection.families.latency.options.iid-spike" },
        { "perf.detection.families.traffic.min_data_points", "-1", "perf.detection.families.traffic.min_data_points" },
        { "perf.detection.families.traffic.sensitivity", "1.5", "perf.detection.families.traffic.sensitivity" },
        { "perf.detection.families.traffic.match", "", "perf.detection.families.traffic.match" },
        { "perf.detection.options.iid-changepoint.martingale", "none", "perf.detection.families.capacity.options.iid-changepoint" },
        { "perf.detection.options.prophet.seasonality", "weekly", "perf.detection.options.prophet" },
        { "perf.detection.options.ensemble.history_length", "4", "perf.detection.families.capacity.options.ensemble" },
        { "perf.detection.max_anomalies_per_series", "-1", "perf.detection.max_anomalies_per_series" },
        { "perf.alerts.for", "-1m", "perf.alerts.for" },
        { "perf.alerts.resolve_margin_percent", "150", "perf.alerts.resolve_margin_percent" },
        { "perf.alerts.flapping.changes", "1", "perf.alerts.flapping.changes" },
        { "perf.notifications.retry.attempts", "0", "perf.notifications.retry.attempts" },
        { "perf.notifications.retry.max", "1ms", "perf.notifications.retry.max" },
        { "perf.query.max_points", "0", "perf.query.max_points" },
        { "perf.query.default_range", "0s", "perf.query.default_range" },
        { "perf.cluster.hostname", "", "perf.cluster.hostname" },
        { "perf.cluster.port", "70000", "perf.cluster.port" },
        { "perf.cluster.port", "-1", "perf.cluster.port" },
        { "perf.cluster.shards", "0", "perf.cluster.shards" },
        { "perf.security.admin_key", "short", "perf.security.admin_key" },
        { "perf.storage.provider", "oracle", "perf.storage.provider" },
        { "perf.storage.provider", "postgresql", "perf.storage.postgresql.connection_string" },
        { "perf.storage.postgresql.connection_string", "Host=db;Max Pool Size=200", "perf.storage.postgresql.connection_string" },
        { "perf.cluster.roles", "gateway", "perf.cluster.roles" },
        { "perf.cluster.down_unreachable_after", "10ms", "perf.cluster.down_unreachable_after" },
        { "perf.cluster.roles", "api", "perf.cluster.seed_nodes" },
        { "perf.cluster.seed_nodes", "10.0.0.1:4053", "perf.cluster.seed_nodes" },
        { "perf.security.jwt.algorithm", "none", "perf.security.jwt.algorithm" },
        { "perf.security.rate_limit.requests_per_second", "0", "perf.security.rate_limit.requests_per_second" },
        { "perf.security.rate_limit.burst", "many", "perf.security.rate_limit.burst" },
        { "perf.security.rate_limit.unauthenticated_requests_per_second", "0", "perf.security.rate_limit.unauthenticated_requests_per_second" },
        { "perf.security.rate_limit.unauthenticated_burst", "-1", "perf.security.rate_limit.unauthenticated_burst" },
        { "perf.security.max_request_bytes", "12", "perf.security.max_request_bytes" },
        { "perf.security.request_timeout", "10ms", "perf.security.request_timeout" },
        { "perf.security.public_metrics", "maybe", "perf.security.public_metrics" },
        { "perf.loadtest.allowed_targets", "[\"\"]", "perf.loadtest.allowed_targets" },
        { "perf.loadtest.max_running", "0", "perf.loadtest.max_running" },
        { "perf.loadtest.max_in_flight", "none", "perf.loadtest.max_in_flight" },
        { "perf.loadtest.request_timeout", "1ms", "perf.loadtest.request_timeout" },
        { "perf.loadtest.operator.max_rate", "0", "perf.loadtest.operator.max_rate" },
        { "perf.loadtest.operator.max_concurrency", "-1", "perf.loadtest.operator.max_concurrency" },
        { "perf.loadtest.operator.max_duration", "forever", "perf.loadtest.operator.max_duration" },
        { "perf.loadtest.admin.max_rate", "fast", "perf.loadtest.admin.max_rate" },
        { "perf.loadtest.admin.max_concurrency", "0", "perf.loadtest.admin.max_concurrency" },
        { "perf.loadtest.admin.max_duration", "0s", "perf.loadtest.admin.max_duration" },
        { "perf.dashboard.refresh_interval", "10ms", "perf.dashboard.refresh_interval" },
        { "perf.self_monitoring.enabled", "sometimes", "perf.self_monitoring.enabled" },
        { "perf.self_monitoring.interval", "1ms", "perf.self_monitoring.interval" },
        { "perf.self_monitoring.disk_quota", "lots", "perf.self_monitoring.disk_quota" },
        { "perf.storage.min_free_space", "-1MB", "perf.storage.min_free_space" },
        { "perf.self_monitoring.failure_window", "10ms", "perf.self_monitoring.failure_window" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_value_is_rejected_naming_the_key(string key, string value, string expectedKey)
    {
        var error = Assert.Throws<PerfConfigurationException>(() => Load((VariableFor(key), value)));

        Assert.Equal(expectedKey, error.Key);
        Assert.Contains($"'{expectedKey}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_threshold_without_its_critical_level_is_rejected()
    {
        var error = Assert.Throws<PerfConfigurationException>(() => Load(("PERF_MONITORING__THRESHOLDS__DISK_USAGE__WARNING", "85")));

        Assert.Equal("monitoring.thresholds.disk_usage.critical", error.Key);
        Assert.Contains("monitoring.thresholds.disk_usage.critical", error.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Data directory

    [Fact]
    public void The_data_directory_defaults_to_perf_confs()
    {
        var (config, settings) = PerfConfiguration.Load(null, new Hashtable());

        Assert.Equal("./data", settings.Engine.DataDirectory);
        Assert.Equal("./data", config.GetString("perf.storage.data_dir"));
    }

    [Fact]
    public void PERF_DATA_DIR_beats_the_file_default()
    {
        var (config, settings) = PerfConfiguration.Load(null, Environment(("PERF_DATA_DIR", "/srv/perf-env")));

        Assert.Equal("/srv/perf-env", settings.Engine.DataDirectory);
        Assert.Equal("/srv/perf-env", config.GetString("perf.storage.data_dir"));
    }

    [Fact]
    public void The_argument_beats_PERF_DATA_DIR()
    {
        var (config, settings) = PerfConfiguration.Load("/srv/perf-arg", Environment(("PERF_DATA_DIR", "/srv/perf-env")));

        Assert.Equal("/srv/perf-arg", settings.Engine.DataDirectory);
        Assert.Equal("/srv/perf-arg", config.GetString("perf.storage.data_dir"));
    }

    [Fact]
    public void The_argument_beats_the_file_default()
    {
        var settings = PerfConfiguration.Load("/srv/perf-arg", new Hashtable()).Settings;

        Assert.Equal("/srv/perf-arg", settings.Engine.DataDirectory);
    }

    [Fact]
    public void The_data_directory_sources_beat_the_generic_key_override()
    {
        var environment = Environment(("PERF_PERF__STORAGE__DATA_DIR", "/srv/perf-key"), ("PERF_DATA_DIR", "/srv/perf-env"));

        Assert.Equal("/srv/perf-env", PerfConfiguration.Load(null, environment).Settings.Engine.DataDirectory);
        Assert.Equal("/srv/perf-arg", PerfConfiguration.Load("/srv/perf-arg", environment).Settings.Engine.DataDirectory);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_PERF_DATA_DIR_keeps_the_file_default(string value)
    {
        var settings = PerfConfiguration.Load(null, Environment(("PERF_DATA_DIR", value))).Settings;

        Assert.Equal("./data", settings.Engine.DataDirectory);
    }

    [Fact]
    public void A_data_directory_with_spaces_and_backslashes_is_kept_as_given()
    {
        var settings = PerfConfiguration.Load(@"C:\Program Data\perf", new Hashtable()).Settings;

        Assert.Equal(@"C:\Program Data\perf", settings.Engine.DataDirectory);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Unrelated environment variables

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("RETENTION_PERIOD")]
    [InlineData("PERFORMANCE__RETENTION_PERIOD")]
    [InlineData("XPERF_PERFORMANCE__RETENTION_PERIOD")]
    [InlineData("perf_performance__retention_period")]
    [InlineData("Perf_PERFORMANCE__RETENTION_PERIOD")]
    [InlineData("PERF_PERFORMANCE_RETENTION_PERIOD")]
    [InlineData("PERF_RETENTION_PERIOD")]
    [InlineData("PERF_PERFORMANCE")]
    [InlineData("PERF_")]
    public void Variables_without_the_prefix_or_a_double_underscore_are_ignored(string name)
    {
        // Applied as an override, "banana" would fail validation; ignored, the defaults load.
        var settings = Load((name, "banana"));

        Assert.Equal(TimeSpan.FromDays(30), settings.Performance.RetentionPeriod);
        Assert.True(settings.Performance.Enabled);
        Assert.Equal("./data", settings.Engine.DataDirectory);
    }

    [Fact]
    public void A_realistic_environment_loads_the_defaults()
    {
        var settings = Load(
            ("PATH", "/usr/local/bin:/usr/bin"),
            ("HOME", "/root"),
            ("DOTNET_ROOT", "/usr/share/dotnet"),
            ("ASPNETCORE_URLS", "http://+:8080"),
            ("PERF_HOME", "/opt/perf"),
            ("PERF_VERSION", "1.2.3"));

        Assert.Equal(TimeSpan.FromDays(30), settings.Performance.RetentionPeriod);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Performance.CollectionInterval);
        Assert.Equal(1_073_741_824L, settings.Optimization.CacheMaxSizeBytes);
        Assert.Equal("./data", settings.Engine.DataDirectory);
    }

    [Fact]
    public void PERF_ADMIN_KEY_sets_the_first_admin_key()
    {
        Assert.Equal("from-the-environment-0123456789", Load(("PERF_ADMIN_KEY", "from-the-environment-0123456789")).Security.AdminKey);
        Assert.Null(Load().Security.AdminKey);
    }

    [Theory]
    [InlineData("HS256", "perf.security.jwt.secret")]
    [InlineData("RS256", "perf.security.jwt.public_key_file")]
    public void Enabled_jwt_needs_its_key_material(string algorithm, string missing)
    {
        var error = Assert.Throws<PerfConfigurationException>(() => Load(
            (VariableFor("perf.security.jwt.enabled"), "true"), (VariableFor("perf.security.jwt.algorithm"), algorithm),
            (VariableFor("perf.security.jwt.issuer"), "issuer"), (VariableFor("perf.security.jwt.audience"), "perf")));

        Assert.Equal(missing, error.Key);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    private static DetectorFamily Family(PerfSettings s, string key) =>
        s.Engine.Detection.Families.Single(f => f.Name == key.Split('.')[3]);

    private static object Setting(PerfSettings s, string key) => key switch
    {
        _ when key.StartsWith("perf.detection.families.", StringComparison.Ordinal) && key.EndsWith(".match", StringComparison.Ordinal) =>
            Family(s, key).Match.Select(p => p.Text),
        _ when key.StartsWith("perf.detection.families.", StringComparison.Ordinal) && key.EndsWith(".detectors", StringComparison.Ordinal) =>
            Family(s, key).Detectors.Detectors.Select(d => d.Name),
        _ when key.StartsWith("perf.detection.families.", StringComparison.Ordinal) && key.EndsWith(".min_data_points", StringComparison.Ordinal) =>
            Family(s, key).Detectors.MinDataPoints,
        "perf.detection.families.latency.options.iid-spike.side" =>
            ((IidSpikeDetector)Family(s, key).Detectors.Detectors.Single(d => d.Name == "iid-spike").Create()).Options.Side,
        "perf.detection.max_anomalies_per_series" => s.Engine.Detection.MaxAnomaliesPerSeries,
        "perf.alerts.for" => s.Alerts.DefaultFor,
        "perf.optimization.sustain" => s.Engine.Optimizer.Sustain,
        "perf.optimization.cooldown" => s.Engine.Optimizer.Cooldown,
        "perf.optimization.cache_hit_target" => s.Engine.Optimizer.CacheHitTarget,
        "perf.notifications.repeat_interval" => s.Notifications.Policy.RepeatInterval,
        "perf.notifications.retry.initial" => s.Notifications.Policy.RetryInitial,
        "perf.notifications.retry.max" => s.Notifications.Policy.RetryMax,
        "perf.notifications.retry.attempts" => s.Notifications.Policy.RetryAttempts,
        "perf.alerts.resolve_margin_percent" => s.Alerts.ResolveMarginPercent,
        "perf.alerts.flapping.window" => s.Alerts.Flapping.Window,
        "perf.alerts.flapping.changes" => s.Alerts.Flapping.Changes,
        "perf.detection.options.ensemble.history_length" =>
            ((EnsembleDetector)s.Engine.Detection.For("cpu.usage").Detectors.Single(d => d.Name == "ensemble").Create()).Options.HistoryLength,
        "perf.detection.options.iid-changepoint.martingale" =>
            ((IidChangePointDetector)s.Engine.Detection.For("cpu.usage").Detectors.Single(d => d.Name == "iid-changepoint").Create()).Options.Martingale,
        "performance.enabled" => s.Performance.Enabled,
        "performance.collection_interval" => s.Performance.CollectionInterval,
        "performance.retention_period" => s.Performance.RetentionPeriod,
        "performance.metrics.system" => s.Performance.SystemMetrics,
        "performance.metrics.application" => s.Performance.ApplicationMetrics,
        "performance.analysis.enabled" => s.Performance.Analysis.Enabled,
        "performance.analysis.anomaly_detection.sensitivity" => s.Performance.Analysis.Sensitivity,
        "performance.analysis.anomaly_detection.min_data_points" => s.Performance.Analysis.MinDataPoints,
        "performance.analysis.trend_analysis.window_size" => s.Performance.Analysis.TrendWindow,
        "performance.analysis.trend_analysis.min_confidence" => s.Performance.Analysis.TrendMinConfidence,
        "monitoring.thresholds.cpu_usage.warning" => s.Monitoring.Thresholds["cpu_usage"].Warning,
        "monitoring.thresholds.cpu_usage.critical" => s.Monitoring.Thresholds["cpu_usage"].Critical,
        "monitoring.thresholds.memory_usage.warning" => s.Monitoring.Thresholds["memory_usage"].Warning,
        "monitoring.thresholds.memory_usage.critical" => s.Monitoring.Thresholds["memory_usage"].Critical,
        "monitoring.thresholds.response_time.warning" => s.Monitoring.Thresholds["response_time"].Warning,
        "monitoring.thresholds.response_time.critical" => s.Monitoring.Thresholds["response_time"].Critical,
        "monitoring.alerts.enabled" => s.Monitoring.AlertsEnabled,
        "monitoring.alerts.channels" => s.Monitoring.AlertChannels,
        "monitoring.alerts.notification_delay" => s.Monitoring.NotificationDelay,
        "optimization.cache.enabled" => s.Optimization.CacheEnabled,
        "optimization.cache.max_size" => s.Optimization.CacheMaxSizeBytes,
        "optimization.cache.eviction_policy" => s.Optimization.CacheEvictionPolicy,
        "optimization.cache.ttl" => s.Optimization.CacheTtl,
        "optimization.load_balancing.enabled" => s.Optimization.LoadBalancingEnabled,
        "optimization.load_balancing.algorithm" => s.Optimization.LoadBalancingAlgorithm,
        "optimization.load_balancing.health_check_interval" => s.Optimization.HealthCheckInterval,
        "optimization.scaling.enabled" => s.Optimization.ScalingEnabled,
        "optimization.scaling.min_instances" => s.Optimization.MinInstances,
        "optimization.scaling.max_instances" => s.Optimization.MaxInstances,
        "optimization.scaling.scale_up_threshold" => s.Optimization.ScaleUpThreshold,
        "optimization.scaling.scale_down_threshold" => s.Optimization.ScaleDownThreshold,
        "perf.storage.data_dir" => s.Engine.DataDirectory,
        "perf.storage.sqlite_synchronous" => s.Engine.SqliteSynchronous,
        "perf.ingest.queue_size" => s.Engine.Ingest.QueueSize,
        "perf.ingest.parallelism" => s.Engine.Ingest.Parallelism,
        "perf.ingest.max_inflight_points" => s.Engine.Ingest.MaxInFlightPoints,
        "perf.ingest.max_body_bytes" => s.Engine.Ingest.MaxBodyBytes,
        "perf.ingest.max_future_skew" => s.Engine.Ingest.MaxFutureSkew,
        "perf.ingest.out_of_order_tolerance" => s.Engine.Ingest.OutOfOrderTolerance,
        "perf.ingest.max_series_per_host" => s.Engine.Ingest.MaxSeriesPerHost,
        "perf.ingest.write_timeout" => s.Engine.Ingest.WriteTimeout,
        "perf.ingest.retry_after" => s.Engine.Ingest.RetryAfter,
        "perf.protocols.max_decoded_bytes" => s.Protocols.MaxDecodedBytes,
        "perf.protocols.remote_write.host_label" => s.Protocols.RemoteWriteHostLabel,
        "perf.protocols.line_protocol.host_tag" => s.Protocols.LineProtocolHostTag,
        "perf.protocols.otlp.host_attributes" => s.Protocols.OtlpHostAttributes,
        "perf.series.snapshot_every" => s.Engine.Series.SnapshotEvery,
        "perf.series.chunk_max_points" => s.Engine.Series.ChunkMaxPoints,
        "perf.series.chunk_max_span" => s.Engine.Series.ChunkMaxSpan,
        "perf.series.passivate_after" => s.Engine.Series.PassivateAfter,
        "perf.query.max_points" => s.Engine.Query.MaxPoints,
        "perf.query.default_range" => s.Engine.Query.DefaultRange,
        "perf.cluster.hostname" => s.Engine.Cluster.Hostname,
        "perf.cluster.port" => s.Engine.Cluster.Port,
        "perf.cluster.shards" => s.Engine.Cluster.Shards,
        "perf.security.admin_key" => s.Security.AdminKey!,
        "perf.storage.provider" => s.Engine.StorageProvider,
        "perf.storage.postgresql.connection_string" => s.Engine.PostgresConnectionString!,
        "perf.cluster.roles" => s.Engine.Cluster.Roles,
        "perf.cluster.down_unreachable_after" => s.Engine.Cluster.DownUnreachableAfter,
        "perf.cluster.seed_nodes" => s.Engine.Cluster.SeedNodes,
        "perf.security.jwt.enabled" => s.Security.Jwt.Enabled,
        "perf.security.jwt.algorithm" => s.Security.Jwt.Algorithm,
        "perf.security.jwt.secret" => s.Security.Jwt.Secret!,
        "perf.security.jwt.public_key_file" => s.Security.Jwt.PublicKeyFile!,
        "perf.security.jwt.issuer" => s.Security.Jwt.Issuer,
        "perf.security.jwt.audience" => s.Security.Jwt.Audience,
        "perf.security.jwt.role_claim" => s.Security.Jwt.RoleClaim,
        "perf.security.jwt.hosts_claim" => s.Security.Jwt.HostsClaim,
        "perf.security.rate_limit.requests_per_second" => s.Security.RateLimit.RequestsPerSecond,
        "perf.security.rate_limit.burst" => s.Security.RateLimit.Burst,
        "perf.security.rate_limit.unauthenticated_requests_per_second" => s.Security.UnauthenticatedRateLimit.RequestsPerSecond,
        "perf.security.rate_limit.unauthenticated_burst" => s.Security.UnauthenticatedRateLimit.Burst,
        "perf.security.max_request_bytes" => s.Security.MaxRequestBytes,
        "perf.security.request_timeout" => s.Security.RequestTimeout,
        "perf.security.public_metrics" => s.Security.PublicMetrics,
        "perf.loadtest.allowed_targets" => s.LoadTest.AllowedTargets,
        "perf.loadtest.max_running" => s.LoadTest.MaxRunning,
        "perf.loadtest.max_in_flight" => s.LoadTest.MaxInFlight,
        "perf.loadtest.request_timeout" => s.LoadTest.RequestTimeout,
        "perf.loadtest.operator.max_rate" => s.LoadTest.Operator.MaxRate,
        "perf.loadtest.operator.max_concurrency" => s.LoadTest.Operator.MaxConcurrency,
        "perf.loadtest.operator.max_duration" => s.LoadTest.Operator.MaxDuration,
        "perf.loadtest.admin.max_rate" => s.LoadTest.Admin.MaxRate,
        "perf.loadtest.admin.max_concurrency" => s.LoadTest.Admin.MaxConcurrency,
        "perf.loadtest.admin.max_duration" => s.LoadTest.Admin.MaxDuration,
        "perf.dashboard.refresh_interval" => s.Dashboard.RefreshInterval,
        "perf.self_monitoring.enabled" => s.SelfMonitoring.Enabled,
        "perf.self_monitoring.interval" => s.SelfMonitoring.Interval,
        "perf.self_monitoring.disk_quota" => s.SelfMonitoring.DiskQuotaBytes,
        "perf.storage.min_free_space" => s.Engine.MinFreeSpaceBytes,
        "perf.self_monitoring.failure_window" => s.SelfMonitoring.FailureWindow,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "no setting mapped for this key"),
    };

    /// <summary>Invariant text of a setting: TimeSpan in the constant ("c") format, lists comma-joined, bools lower case.</summary>
    private static string Describe(object value) => value switch
    {
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IEnumerable<string> list => string.Join(",", list),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<string> LeafKeys(HoconValue value, string path)
    {
        if (!value.IsObject())
        {
            yield return path;
            yield break;
        }
        foreach (var (name, child) in value.GetObject().Items)
            foreach (var key in LeafKeys(child, path.Length == 0 ? name : path + "." + name))
                yield return key;
    }
}
