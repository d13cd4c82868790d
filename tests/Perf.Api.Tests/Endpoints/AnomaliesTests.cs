using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>The detectors in the engine: findings through the API, and their state across a kill -9.</summary>
public sealed class AnomaliesTests
{
    private const string Host = "detect-host";
    private const string Metric = "cpu.usage";
    private static readonly DateTimeOffset Start = NodeApi.RecentSecond(6 * 60);

    private static DateTimeOffset T(int i) => Start.AddSeconds(30 * i);

    /// <summary>Noise around 40, a spike to 95 at point 200, a level shift to 60 from point 300.</summary>
    private static double Value(int i, Random random) => i == 200 ? 95 : (i < 300 ? 40 : 60) + random.NextDouble() * 2;

    private static async Task PostAsync(HttpClient client, int from, int count, Func<int, double> value)
    {
        var samples = Enumerable.Range(from, count)
            .Select(i => new { host = Host, timestamp = NodeApi.Iso(T(i)), metrics = new { cpu = new { usage = value(i) } } });
        await (await client.PostJsonAsync(NodeApi.Serialize(samples))).ExpectAcceptedAsync();
    }

    private static async Task<JsonArray> AnomaliesAsync(HttpClient client) =>
        (await client.GetJsonAsync($"/api/v1/series/{Host}/{Metric}/anomalies?start=0"))["anomalies"]!.AsArray();

    private static bool Is(JsonNode? anomaly, string detector, string kind, int from, int to)
    {
        var t = DateTimeOffset.Parse(anomaly!["timestamp"]!.GetValue<string>());
        return anomaly["detector"]!.GetValue<string>() == detector && anomaly["kind"]!.GetValue<string>() == kind && t >= T(from) && t <= T(to);
    }

    [Fact]
    public async Task A_spike_and_a_level_shift_are_found_and_the_detectors_continue_after_a_kill_9()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-anomaly-tests", Guid.NewGuid().ToString("N"));
        var random = new Random(5);
        JsonNode stateBefore;
        JsonArray found;
        await using (var node = new PerfNodeProcess(dataDirectory: dataDir))
        {
            await node.StartAsync();
            for (var i = 0; i < 400; i += 100) await PostAsync(node.Client, i, 100, n => Value(n, random));

            found = await AnomaliesAsync(node.Client);
            Assert.Contains(found, a => Is(a, "iid-spike", "spike", 200, 200) && a!["value"]!.GetValue<double>() == 95);
            Assert.Contains(found, a => Is(a, "ensemble", "anomaly", 200, 200) && a!["score"]!.GetValue<double>() >= 0.5);
            var change = Assert.Single(found, a => Is(a, "iid-changepoint", "changepoint", 300, 320));
            Assert.True(change!["martingale"]!.GetValue<double>() > 1, change.ToJsonString());
            Assert.InRange(change["p_value"]!.GetValue<double>(), 0, 1);

            stateBefore = await node.Client.GetJsonAsync($"/api/v1/series/{Host}/{Metric}/state");
            var detectors = stateBefore["detectors"]!.AsArray();
            Assert.Equal(["ensemble", "iid-spike", "iid-changepoint"], detectors.Select(d => d!["name"]!.GetValue<string>()));
            Assert.All(detectors, d => Assert.Equal(400, d!["points"]!.GetValue<long>()));
            Assert.All(detectors, d => Assert.True(d!["state_bytes"]!.GetValue<int>() > 0));
            Assert.Contains(detectors, d => d!["last_output"]!["p_value"] is not null);
            await node.KillAsync();
        }

        await using var restarted = new PerfNodeProcess(dataDirectory: dataDir);
        await restarted.StartAsync();
        var stateAfter = await restarted.Client.GetJsonAsync($"/api/v1/series/{Host}/{Metric}/state");
        Assert.Equal(stateBefore["detectors"]!.ToJsonString(), stateAfter["detectors"]!.ToJsonString());
        Assert.Equal(found.ToJsonString(), (await AnomaliesAsync(restarted.Client)).ToJsonString());

        // The spike detector needs 100 points of history before it can alert: one that started afresh after the kill
        // could not flag a spike five points later.
        await PostAsync(restarted.Client, 400, 10, n => n == 405 ? 5 : Value(n, random));
        Assert.Contains(await AnomaliesAsync(restarted.Client), a => Is(a, "iid-spike", "spike", 405, 405));
        var resumed = await restarted.Client.GetJsonAsync($"/api/v1/series/{Host}/{Metric}/state");
        Assert.All(resumed["detectors"]!.AsArray(), d => Assert.Equal(410, d!["points"]!.GetValue<long>()));
    }

    [Fact]
    public async Task The_range_selects_findings_and_bad_queries_get_problems_naming_the_field()
    {
        await using var node = new PerfNodeProcess();
        await node.StartAsync();
        var random = new Random(6);
        await PostAsync(node.Client, 0, 250, n => Value(n, random));

        var narrow = await node.Client.GetJsonAsync(
            $"/api/v1/series/{Host}/{Metric}/anomalies?start={Uri.EscapeDataString(NodeApi.Iso(T(199)))}&end={Uri.EscapeDataString(NodeApi.Iso(T(201)))}");
        Assert.NotEmpty(narrow["anomalies"]!.AsArray());
        Assert.All(narrow["anomalies"]!.AsArray(), a => Assert.True(Is(a, a!["detector"]!.GetValue<string>(), a["kind"]!.GetValue<string>(), 199, 201)));
        Assert.Equal("utilisation", narrow["detector_set"]!.GetValue<string>());
        var early = await node.Client.GetJsonAsync(
            $"/api/v1/series/{Host}/{Metric}/anomalies?start=0&end={Uri.EscapeDataString(NodeApi.Iso(T(150)))}");
        Assert.Empty(early["anomalies"]!.AsArray());

        await (await node.Client.GetAsync($"/api/v1/series/{Host}/{Metric}/anomalies?start=yesterday"))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "start");
        await (await node.Client.GetAsync($"/api/v1/series/{Host}/no.such.metric/anomalies"))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "metric");
    }
}
