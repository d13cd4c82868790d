using System.Net;
using Perf.Actors.Alerts;
using Perf.Api.Dashboard;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;
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
        for (var i = 0; i < 5; i++) await PostAsync(fixture.Client, "dash-ok", now.AddMinutes(i - 4), 30 + i); // the last one now
        await PostAsync(fixture.Client, "dash-hot", now.AddSeconds(-1), 97); // above cpu_usage's critical 90: pending
        // The alert's transition is stored after the write that caused it.
        await Poll.UntilAsync("the alert of dash-hot", async _ =>
            (await fixture.Client.GetJsonAsync("/api/v1/alerts?host=dash-hot"))["count"]!.GetValue<int>() > 0, TestContext.Current.CancellationToken);

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
    public async Task A_host_scoped_key_sees_only_its_hosts_in_the_overview_and_cannot_stream_another_host()
    {
        await PostAsync(fixture.Client, "dash-mine", DateTimeOffset.UtcNow, 10);
        await PostAsync(fixture.Client, "dash-theirs", DateTimeOffset.UtcNow, 20);
        var key = await Security.Keys.CreateAsync(fixture.Client, "read", ["dash-mine"]);
        using var scoped = fixture.Node.ClientWithKey(key.Token);

        var hosts = (await scoped.GetJsonAsync("/api/v1/dashboard/overview"))["hosts"]!.AsArray().Select(h => h!["host"]!.GetValue<string>());
        Assert.Equal(["dash-mine"], hosts);
        await using (var stream = await SseClient.ConnectAsync(scoped, "/api/v1/dashboard/stream"))
        {
            var first = (await stream.ReadAsync(1, TimeSpan.FromSeconds(30)))[0];
            Assert.Equal(["dash-mine"], first.Data["hosts"]!.AsArray().Select(h => h!["host"]!.GetValue<string>()));
        }
        await (await scoped.GetAsync("/api/v1/dashboard/stream?host=dash-theirs")).ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
    }

    [Fact]
    public async Task Scores_of_a_series_sampled_less_often_than_the_collection_interval_cover_the_whole_range()
    {
        // One-minute samples at the default 30 s collection interval: the 100-point warm-up reaches back 100 minutes,
        // not 100 intervals (50 minutes), so the range's first points are scored too.
        var start = NodeApi.RecentSecond(240);
        var samples = Enumerable.Range(0, 200).Select(i => new
        {
            host = "dash-slow-scores",
            timestamp = NodeApi.Iso(start.AddMinutes(i)),
            metrics = new { cpu = new { usage = i == 152 ? 99.0 : 40 + 5 * Math.Sin(i / 7.0) } },
        });
        await (await fixture.Client.PostJsonAsync(NodeApi.Serialize(samples))).ExpectAcceptedAsync();

        var from = NodeApi.Iso(start.AddMinutes(150));
        var points = (await fixture.Client.GetJsonAsync($"/api/v1/series/dash-slow-scores/cpu.usage/scores?start={from}"))["points"]!.AsArray();

        Assert.Equal(50, points.Count);
        Assert.Equal(start.AddMinutes(150), DateTimeOffset.Parse(points[0]!["timestamp"]!.GetValue<string>()));
        var highest = points.MaxBy(p => p!["score"]!.GetValue<double>())!;
        Assert.Equal(start.AddMinutes(152), DateTimeOffset.Parse(highest["timestamp"]!.GetValue<string>()));
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

        // With a step, the highest score per step: the spike's step holds the top score.
        var stepped = (await fixture.Client.GetJsonAsync($"/api/v1/series/dash-scores/cpu.usage/scores?start={from}&step=5m"))["points"]!.AsArray();
        Assert.InRange(stepped.Count, 3, 5);
        Assert.Equal(highest["score"]!.GetValue<double>(), stepped.Max(p => p!["score"]!.GetValue<double>()));

        // A range that would replay more than 250,000 points at the 30 s collection interval is refused before any is read.
        await (await fixture.Client.GetAsync("/api/v1/series/dash-scores/cpu.usage/scores?start=2020-01-01T00:00:00Z&step=1d")).ExpectProblemAsync(HttpStatusCode.BadRequest, "start");
        await (await fixture.Client.GetAsync("/api/v1/series/dash-scores/cpu.usage/scores?detector=ssa-spike")).ExpectProblemAsync(HttpStatusCode.NotFound, "detector");
        await (await fixture.Client.GetAsync("/api/v1/series/dash-scores/no.such.metric/scores")).ExpectProblemAsync(HttpStatusCode.NotFound, "metric");
    }

    private static (AlertTransitioned, string) Active(AlertState state, AlertSeverity severity, bool silenced = false) =>
        (new AlertTransitioned("a", "r", "r", "h", "m", AlertState.Inactive, state, severity, 0, 0, 0, 0), silenced ? "silenced" : state.ToString().ToLowerInvariant());

    [Theory]
    [InlineData(AlertState.Firing, AlertSeverity.Critical, false, 1_000, "critical")]
    [InlineData(AlertState.Firing, AlertSeverity.Warning, false, 1_000, "warning")]
    [InlineData(AlertState.Flapping, AlertSeverity.Critical, false, 1_000, "warning")]
    [InlineData(AlertState.Pending, AlertSeverity.Critical, false, 1_000, "ok")]
    [InlineData(AlertState.Pending, AlertSeverity.Critical, false, 100_000, "stale")]
    [InlineData(AlertState.Firing, AlertSeverity.Critical, false, 100_000, "critical")]
    [InlineData(AlertState.Firing, AlertSeverity.Critical, true, 1_000, "ok")]
    public void Health_is_the_worst_firing_alert_not_silenced_then_staleness(AlertState state, AlertSeverity severity, bool silenced, long ageMs, string expected)
    {
        const long now = 1_000_000;
        Assert.Equal(expected, DashboardOverview.Health([Active(state, severity, silenced)], now - ageMs, now, staleAfterMs: 90_000));
    }

    [Fact]
    public void A_host_without_samples_or_alerts_is_stale() =>
        Assert.Equal("stale", DashboardOverview.Health([], newestMs: 0, nowMs: 1_000_000, staleAfterMs: 90_000));
}
