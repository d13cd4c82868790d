using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Agents;

/// <summary>
/// The real sender: Debian's Prometheus scrapes Debian's node_exporter every second and remote-writes to a Perf node.
/// Within 30 s the node's metrics are queryable in Perf, with the values Prometheus itself stored.
/// </summary>
public sealed class PrometheusRemoteWriteTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    [Fact]
    public async Task Node_metrics_scraped_by_prometheus_reach_perf_with_the_values_prometheus_stored()
    {
        var token = TestContext.Current.CancellationToken;
        await using var stack = new PrometheusStack();
        await stack.StartAsync(fixture.Node.BaseAddress, PerfNodeProcess.AdminKey, token);
        var host = stack.Instance;

        foreach (var (metric, selector) in new[]
                 {
                     ("node_memory_MemAvailable_bytes{job=\"node\"}", "node_memory_MemAvailable_bytes"),
                     ("node_cpu_seconds_total{cpu=\"0\",job=\"node\",mode=\"idle\"}", "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}"),
                 })
        {
            var points = await Poll.UntilAsync($"{metric} in Perf (Prometheus log:\n{stack.Output})", async t =>
            {
                using var response = await fixture.Client.GetAsync($"/api/v1/series/{host}/{Uri.EscapeDataString(metric)}?start={Uri.EscapeDataString(NodeApi.Iso(DateTimeOffset.UtcNow.AddMinutes(-5)))}", t);
                if (!response.IsSuccessStatusCode) return null;
                var found = JsonNode.Parse(await response.Content.ReadAsStringAsync(t))!["points"]!.AsArray();
                return found.Count >= 2 ? found : null;
            }, token, TimeSpan.FromSeconds(30));

            var compared = 0;
            foreach (var point in points.TakeLast(3))
            {
                var at = DateTimeOffset.Parse(point!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                var expected = await stack.ValueAtAsync($"{selector.TrimEnd('}')}{(selector.Contains('{') ? "," : "{")}instance=\"{host}\"}}", at, token);
                Assert.True(expected is not null, $"Prometheus has no sample of {selector} at {at:O}");
                Assert.Equal(expected!.Value, point["value"]!.GetValue<double>());
                compared++;
            }
            Assert.True(compared >= 2);
        }

        // Labels with slashes (a filesystem's device and mountpoint) are kept, percent-encoded, so the series stays addressable.
        var hostView = await fixture.Client.GetJsonAsync($"/api/v1/hosts/{host}");
        var filesystem = hostView["series"]!.AsArray().Select(s => s!["metric"]!.GetValue<string>())
            .First(m => m.StartsWith("node_filesystem_", StringComparison.Ordinal) && m.Contains("%2F", StringComparison.Ordinal));
        await fixture.Client.GetJsonAsync($"/api/v1/series/{host}/{Uri.EscapeDataString(filesystem)}");
    }
}
