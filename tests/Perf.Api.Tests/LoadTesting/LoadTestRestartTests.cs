using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.LoadTesting;

/// <summary>A node killed while a load test runs: after the restart the test is interrupted, with what it had measured.</summary>
public sealed class LoadTestRestartTests
{
    private const string Route = "/api/v1/performance/loadtests";

    [Fact]
    public async Task A_restart_mid_test_leaves_it_interrupted_with_its_data()
    {
        var token = TestContext.Current.CancellationToken;
        await using var target = new SaturatingServer();
        await target.StartAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "perf-api-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string id;
            await using (var node = new PerfNodeProcess(dataDirectory: dataDirectory))
            {
                await node.StartAsync();
                using var created = await node.Client.PostJsonAsync(NodeApi.Serialize(new { target_url = target.Url(), rate = 20, duration = "5m" }), Route);
                id = (await created.ExpectAcceptedAsync())["id"]!.GetValue<string>();
                // Until a checkpoint holds responses and some seconds are in the series: then the kill.
                await Poll.UntilAsync("a checkpoint of the running test", async _ =>
                {
                    var test = await node.Client.GetJsonAsync($"{Route}/{id}");
                    var series = await node.Client.GetAsync($"/api/v1/series/loadtest-{id}/loadtest.throughput?start={Uri.EscapeDataString(NodeApi.Iso(DateTimeOffset.UtcNow.AddHours(-1)))}", token);
                    return test["summary"]!["responses"]!.GetValue<long>() > 40 && series.IsSuccessStatusCode;
                }, token);
                await node.KillAsync();
            }

            await using var restarted = new PerfNodeProcess(dataDirectory: dataDirectory);
            await restarted.StartAsync();
            var after = await restarted.Client.GetJsonAsync($"{Route}/{id}");

            Assert.Equal("interrupted", after["status"]!.GetValue<string>());
            Assert.NotNull(after["finished_at"]);
            Assert.True(after["summary"]!["responses"]!.GetValue<long>() > 0, after.ToJsonString());
            Assert.NotNull(after["summary"]!["status_codes"]!["200"]);
            var points = (await restarted.Client.GetJsonAsync($"/api/v1/series/loadtest-{id}/loadtest.throughput?start={Uri.EscapeDataString(NodeApi.Iso(DateTimeOffset.UtcNow.AddHours(-1)))}"))["points"]!.AsArray();
            Assert.NotEmpty(points);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
