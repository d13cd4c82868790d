using System.Net;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Durability;

/// <summary>Start-up and shutdown of a node.</summary>
public sealed class LifecycleTests
{
    [Theory]
    [InlineData("PERF_PERFORMANCE__RETENTION_PERIOD", "banana", "performance.retention_period")]
    [InlineData("PERF_PERF__INGEST__MAX_SERIES_PER_HOST", "0", "perf.ingest.max_series_per_host")]
    [InlineData("PERF_OPTIMIZATION__SCALING__MAX_INSTANCES", "1", "optimization.scaling.max_instances")]
    public async Task Invalid_configuration_stops_start_up_with_a_message_naming_the_key(string variable, string value, string key)
    {
        await using var node = new PerfNodeProcess(new Dictionary<string, string> { [variable] = value });
        var exitCode = await node.RunToExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.Contains(key, node.Output);
    }

    [Fact]
    public async Task A_yaml_file_given_with_config_is_taken_and_an_unknown_flag_or_key_stops_start_up_with_exit_code_2()
    {
        var directory = Directory.CreateTempSubdirectory("perf-lifecycle-yaml-").FullName;
        var file = Path.Combine(directory, "perf.yaml");
        await File.WriteAllTextAsync(file, """
            monitoring:
              thresholds:
                cpu_usage:
                  warning: 50
                  critical: 90
            perf.notifications.channels.ops:
              type: webhook
              url: https://ops.example.com/hooks/s3cr3t-token
            """);
        await using (var node = new PerfNodeProcess { ExtraArguments = $"--config \"{file}\"" })
        {
            await node.StartAsync();
            Assert.Equal(50, (await node.Client.GetJsonAsync("/api/v1/alert-rules/cpu_usage"))["warning"]!.GetValue<double>());

            // The effective configuration, for an administrator, with what grants access masked.
            var body = await node.Client.GetStringAsync("/api/v1/admin/config");
            var effective = System.Text.Json.Nodes.JsonNode.Parse(body)!;
            Assert.Equal(file, effective["file"]!.GetValue<string>());
            var settings = effective["settings"]!;
            Assert.Equal("50", settings["monitoring.thresholds.cpu_usage.warning"]!.GetValue<string>());
            Assert.Equal("30d", settings["performance.retention_period"]!.GetValue<string>());
            Assert.Equal(["email", "slack"], settings["monitoring.alerts.channels"]!.AsArray().Select(c => c!.GetValue<string>()));
            Assert.Equal("https://ops.example.com/***", settings["perf.notifications.channels.ops.url"]!.GetValue<string>());
            Assert.Equal("***", settings["perf.security.admin_key"]!.GetValue<string>());
            Assert.DoesNotContain("s3cr3t", body);
            Assert.DoesNotContain(PerfNodeProcess.AdminKey, body);
        }

        await using (var typo = new PerfNodeProcess { ExtraArguments = $"--confg \"{file}\"" })
        {
            Assert.Equal(2, await typo.RunToExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("'--confg': is not an option", typo.Output);
        }

        await File.WriteAllTextAsync(file, "monitoring:\n  tresholds:\n    cpu_usage:\n      warning: 50\n");
        await using (var unknown = new PerfNodeProcess { ExtraArguments = $"--config \"{file}\"" })
        {
            Assert.Equal(2, await unknown.RunToExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("'monitoring.tresholds.cpu_usage.warning': is not a setting of Perf", unknown.Output);
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Ctrl_C_shuts_down_cleanly_and_the_data_is_there_after_a_restart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-lifecycle-tests", Guid.NewGuid().ToString("N"));
        var t = NodeApi.RecentSecond(1);
        await using (var node = new PerfNodeProcess(dataDirectory: dataDir))
        {
            await node.StartAsync();
            var body = $$"""{"host": "graceful", "timestamp": "{{NodeApi.Iso(t)}}", "metrics": {"cpu": {"usage": 12.5} } }""";
            await (await node.Client.PostJsonAsync(body)).ExpectAcceptedAsync();
            Assert.Equal(0, await node.InterruptAsync(TimeSpan.FromSeconds(60)));
        }
        await using var restarted = new PerfNodeProcess(dataDirectory: dataDir);
        await restarted.StartAsync();
        var points = (await restarted.Client.GetJsonAsync("/api/v1/series/graceful/cpu.usage?start=0"))["points"]!.AsArray();
        Assert.Equal(12.5, Assert.Single(points)!["value"]!.GetValue<double>());
        var hosts = await restarted.Client.GetJsonAsync("/api/v1/hosts");
        Assert.Contains("graceful", hosts["hosts"]!.AsArray().Select(h => h!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await restarted.Client.GetAsync("/api/v1/hosts/graceful")).StatusCode);
    }
}
