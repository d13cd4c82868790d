using System.Net;
using Perf.Actors.Alerts;
using Perf.Api.Dashboard;
using Perf.Api.Tests.Infrastructure;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Api.Tests.Dashboard;

/// <summary>The dashboard's own endpoints over HTTP (the overview, the live stream) and the health colour rule.</summary>
public sealed class DashboardEndpointsTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private static async Task PostAsync(HttpClient client, string host, DateTimeOffset at, double cpu) =>
        await (await client.PostJsonAsync(NodeApi.Serialize(new
        {
            host,
            timestamp = NodeApi.Iso(at),
            metrics = new { cpu = new { usage = cpu }, memory = new { total = 100, used = 25 }, network = new { bytes_in = 7 } },
        }))).ExpectAcceptedAsync();

    [Fact]
    public async Task The_overview_gives_each_host_its_figures_a_sparkline_and_its_active_alerts()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++) await PostAsync(fixture.Client, "dash-ok", now.AddMinutes(i - 5), 30 + i);
        await PostAsync(fixture.Client, "dash-hot", now.AddSeconds(-1), 97); // above cpu_usage's critical 90: pending
        // The alert's transition is stored after the write that caused it.
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            while ((await fixture.Client.GetJsonAsync("/api/v1/alerts?host=dash-hot"))["count"]!.GetValue<int>() == 0)
                await Task.Delay(100, wait.Token);

        var overview = await fixture.Client.GetJsonAsync("/api/v1/dashboard/overview");
        var hosts = overview["hosts"]!.AsArray().ToDictionary(h => h!["host"]!.GetValue<string>(), h => h!);

        var ok = hosts["dash-ok"];
        Assert.Equal("ok", ok["health"]!.GetValue<string>());
        Assert.Equal(34, ok["metrics"]!["cpu.usage"]!["value"]!.GetValue<double>());
        Assert.Equal(25, ok["metrics"]!["memory.usage"]!["value"]!.GetValue<double>());
        Assert.Null(ok["metrics"]!["disk.usage"]);
        Assert.Empty(ok["active_alerts"]!.AsArray());
        var sparkline = ok["sparklines"]!["cpu.usage"]!.AsArray();
        Assert.Equal(5, sparkline[1]!.AsArray().Count(v => v is not null));

        var hot = hosts["dash-hot"];
        var alert = Assert.Single(hot["active_alerts"]!.AsArray())!;
        Assert.Equal("pending", alert["state"]!.GetValue<string>());
        Assert.Equal("cpu.usage", alert["metric"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_stream_sends_the_latest_values_at_once_and_refuses_a_bad_host()
    {
        await PostAsync(fixture.Client, "dash-live", DateTimeOffset.UtcNow, 42.5);

        await using (var overview = await SseClient.ConnectAsync(fixture.Client, "/api/v1/dashboard/stream"))
        {
            var first = (await overview.ReadAsync(1, TimeSpan.FromSeconds(30)))[0];
            Assert.Equal("1", first.Id);
            Assert.Contains(first.Data["hosts"]!.AsArray(), h => h!["host"]!.GetValue<string>() == "dash-live");
        }
        await using (var host = await SseClient.ConnectAsync(fixture.Client, "/api/v1/dashboard/stream?host=dash-live"))
        {
            var first = (await host.ReadAsync(1, TimeSpan.FromSeconds(30)))[0];
            var cpu = first.Data["series"]!.AsArray().Single(s => s!["metric"]!.GetValue<string>() == "cpu.usage")!;
            Assert.Equal(42.5, cpu["value"]!.GetValue<double>());
        }
        await (await fixture.Client.GetAsync("/api/v1/dashboard/stream?host=no%20such%20host")).ExpectProblemAsync(HttpStatusCode.BadRequest, "host");
    }

    [Fact]
    public async Task Scores_replay_the_ensemble_over_a_range_and_an_unknown_detector_is_named()
    {
        var start = NodeApi.RecentSecond(90);
        var samples = Enumerable.Range(0, 150).Select(i => new
        {
            host = "dash-scores",
            timestamp = NodeApi.Iso(start.AddSeconds(30 * i)),
            metrics = new { cpu = new { usage = i == 140 ? 99.0 : 40 + 5 * Math.Sin(i / 7.0) } },
        });
        await (await fixture.Client.PostJsonAsync(NodeApi.Serialize(samples))).ExpectAcceptedAsync();

        var from = NodeApi.Iso(start.AddSeconds(30 * 120));
        var scores = await fixture.Client.GetJsonAsync($"/api/v1/series/dash-scores/cpu.usage/scores?start={from}");
        Assert.Equal("ensemble", scores["detector"]!.GetValue<string>());
        var points = scores["points"]!.AsArray();
        Assert.Equal(30, points.Count); // the warm-up is taken from before the range
        var highest = points.MaxBy(p => p!["score"]!.GetValue<double>())!;
        Assert.Equal(start.AddSeconds(30 * 140), DateTimeOffset.Parse(highest["timestamp"]!.GetValue<string>()));

        await (await fixture.Client.GetAsync("/api/v1/series/dash-scores/cpu.usage/scores?detector=ssa-spike")).ExpectProblemAsync(HttpStatusCode.NotFound, "detector");
        await (await fixture.Client.GetAsync("/api/v1/series/dash-scores/no.such.metric/scores")).ExpectProblemAsync(HttpStatusCode.NotFound, "metric");
    }

    private static AlertTransitioned Transition(AlertState to, AlertSeverity severity) =>
        new("a", "r", "r", "h", "m", AlertState.Inactive, to, severity, 0, 0, 0, 0);

    [Theory]
    [InlineData(AlertState.Firing, AlertSeverity.Critical, 1_000, "critical")]
    [InlineData(AlertState.Firing, AlertSeverity.Warning, 1_000, "warning")]
    [InlineData(AlertState.Flapping, AlertSeverity.Critical, 1_000, "warning")]
    [InlineData(AlertState.Pending, AlertSeverity.Critical, 1_000, "ok")]
    [InlineData(AlertState.Pending, AlertSeverity.Critical, 100_000, "stale")]
    [InlineData(AlertState.Firing, AlertSeverity.Critical, 100_000, "critical")]
    public void Health_is_the_worst_firing_alert_then_staleness(AlertState state, AlertSeverity severity, long ageMs, string expected)
    {
        const long now = 1_000_000;
        Assert.Equal(expected, DashboardEndpoints.Health([Transition(state, severity)], now - ageMs, now, staleAfterMs: 90_000));
    }

    [Fact]
    public void A_host_without_samples_or_alerts_is_stale() =>
        Assert.Equal("stale", DashboardEndpoints.Health([], newestMs: 0, nowMs: 1_000_000, staleAfterMs: 90_000));
}
