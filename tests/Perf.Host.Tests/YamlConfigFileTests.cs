using System.Collections;
using Perf.Actors.Configuration;

namespace Perf.Host.Tests;

/// <summary>
/// <see cref="YamlConfigFile"/> through <see cref="PerfConfiguration.Load"/>: the product document's YAML as written
/// there, its precedence against the environment and the command line, and the errors that stop start-up.
/// </summary>
public sealed class YamlConfigFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("perf-yaml-").FullName;

    /// <summary>The product document's three sections exactly as written there, but for a cpu warning of 50 and at most 8
    /// instances.</summary>
    private const string DocumentYaml = """
        performance:
          enabled: true
          collection_interval: 30s
          retention_period: 30d
          metrics:
            system:
              - cpu_usage
              - memory_usage
              - disk_usage
              - network_usage
            application:
              - response_time
              - error_rate
              - request_count
          analysis:
            enabled: true
            anomaly_detection:
              sensitivity: 0.8
              min_data_points: 100
            trend_analysis:
              window_size: 24h
              min_confidence: 0.9
        monitoring:
          thresholds:
            cpu_usage:
              warning: 50
              critical: 90
            memory_usage:
              warning: 80
              critical: 95
            response_time:
              warning: 500ms
              critical: 1000ms
          alerts:
            enabled: true
            channels:
              - email
              - slack
            notification_delay: 5m
        optimization:
          cache:
            enabled: true
            max_size: 1024MB
            eviction_policy: lru
            ttl: 1h
          load_balancing:
            enabled: true
            algorithm: round_robin
            health_check_interval: 30s
          scaling:
            enabled: true
            min_instances: 2
            max_instances: 8
            scale_up_threshold: 70
            scale_down_threshold: 30
        """;

    private string File(string yaml)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.yaml");
        System.IO.File.WriteAllText(path, yaml);
        return path;
    }

    private static PerfSettings Load(string? file, params (string Name, string Value)[] environment)
    {
        var table = new Hashtable();
        foreach (var (name, value) in environment) table[name] = value;
        return PerfConfiguration.Load(dataDirectory: null, environment: table, configFile: file).Settings;
    }

    [Fact]
    public void The_documents_yaml_is_taken_as_written()
    {
        var settings = Load(File(DocumentYaml));

        Assert.Equal(new ThresholdSettings(50, 90), settings.Monitoring.Thresholds["cpu_usage"]);
        Assert.Equal(8, settings.Optimization.MaxInstances);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Monitoring.NotificationDelay);
        Assert.Equal(["email", "slack"], settings.Monitoring.AlertChannels);
        Assert.Equal(TimeSpan.FromDays(30), settings.Performance.RetentionPeriod);
    }

    [Fact]
    public void Perf_keys_may_be_nested_or_dotted_and_a_threshold_may_name_any_metric()
    {
        var settings = Load(File("""
            perf:
              ingest:
                max_series_per_host: 500
            perf.ingest.out_of_order_tolerance: 90s
            monitoring:
              thresholds:
                disk_usage: {warning: 85, critical: 95}
            """));

        Assert.Equal(500, settings.Engine.Ingest.MaxSeriesPerHost);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Engine.Ingest.OutOfOrderTolerance);
        Assert.Equal(new ThresholdSettings(85, 95), settings.Monitoring.Thresholds["disk_usage"]);
    }

    [Fact]
    public void The_file_is_below_the_environment_and_the_command_line()
    {
        var file = File("""
            performance:
              retention_period: 7d
              collection_interval: 10s
            perf:
              storage:
                data_dir: /srv/from-file
            """);

        var fromFile = Load(file);
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromSeconds(10)), (fromFile.Performance.RetentionPeriod, fromFile.Performance.CollectionInterval));
        var environment = Load(file, ("PERF_PERFORMANCE__RETENTION_PERIOD", "14d"));
        Assert.Equal((TimeSpan.FromDays(14), TimeSpan.FromSeconds(10)), (environment.Performance.RetentionPeriod, environment.Performance.CollectionInterval));
        Assert.Equal("/srv/from-file", environment.Engine.DataDirectory);
        var commandLine = PerfConfiguration.Load("/srv/from-args", new Hashtable { ["PERF_DATA_DIR"] = "/srv/from-env" }, configFile: file).Settings;
        Assert.Equal("/srv/from-args", commandLine.Engine.DataDirectory);
    }

    [Fact]
    public void Perf_config_names_the_file_when_the_command_line_does_not()
    {
        var settings = Load(null, ("PERF_CONFIG", File("performance:\n  retention_period: 3d\n")));

        Assert.Equal(TimeSpan.FromDays(3), settings.Performance.RetentionPeriod);
    }

    [Theory]
    [InlineData("performance:\n  retention_perod: 7d\n", "performance.retention_perod", "not a setting of Perf")]
    [InlineData("performence:\n  enabled: true\n", "performence", "not a section")]
    [InlineData("akka.loglevel: DEBUG\n", "akka.loglevel", "not a section")]
    [InlineData("monitoring:\n  thresholds:\n    cpu_usage:\n      warning: lots\n", "monitoring.thresholds.cpu_usage.warning", "neither a number nor a duration")]
    [InlineData("optimization:\n  scaling: 3\n", "optimization.scaling", "is a section, not a value")]
    [InlineData("performance:\n  enabled:\n    really: true\n", "performance.enabled", "is a value, not a section")]
    [InlineData("performance:\n  retention_period:\n", "performance.retention_period", "has no value")]
    [InlineData("- performance\n", "--config", "must be a mapping")]
    [InlineData("performance: [unclosed\n", "--config", "is not YAML")]
    public void A_key_or_value_the_node_cannot_take_stops_it_naming_the_key(string yaml, string key, string problem)
    {
        var error = Assert.Throws<PerfConfigurationException>(() => Load(File(yaml)));

        Assert.Equal(key, error.Key);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_missing_file_stops_start_up_naming_it()
    {
        var missing = Path.Combine(_directory, "nowhere.yaml");

        var error = Assert.Throws<PerfConfigurationException>(() => Load(missing));

        Assert.Contains(missing, error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
