using System.Net;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>Alerts end to end: samples through the API, transitions on the SSE stream and in the alert list.</summary>
public sealed class AlertsTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private static readonly DateTimeOffset Start = NodeApi.RecentSecond(30);

    private static async Task PostCpuAsync(HttpClient client, string host, int seconds, double value)
    {
        var body = $$"""{"host": "{{host}}", "timestamp": "{{NodeApi.Iso(Start.AddSeconds(seconds))}}", "metrics": {"cpu": {"usage": {{value}} } } }""";
        await (await client.PostJsonAsync(body)).ExpectAcceptedAsync();
    }

    [Fact]
    public async Task A_cpu_breach_longer_than_for_streams_pending_firing_resolved_and_a_reconnect_gets_exactly_what_it_missed()
    {
        await using var node = new PerfNodeProcess();
        await node.StartAsync();
        await using var live = await SseClient.ConnectAsync(node.Client, "/api/v1/alerts/stream?host=sse-host");

        // cpu_usage: critical at 90, for = 1m of sample time.
        foreach (var (s, v) in new[] { (0, 40.0), (30, 95.0), (60, 95.0), (90, 96.0), (120, 20.0) }) await PostCpuAsync(node.Client, "sse-host", s, v);

        var events = await live.ReadAsync(3, TimeSpan.FromSeconds(30));
        Assert.Equal(["pending", "firing", "resolved"], events.Select(e => e.Data["to"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal("critical", e.Data["severity"]!.GetValue<string>()));
        Assert.Equal(Start.AddSeconds(90), DateTimeOffset.Parse(events[1].Data["timestamp"]!.GetValue<string>()));
        Assert.Single(events.Select(e => e.Data["alert_id"]!.GetValue<string>()).Distinct());
        Assert.Equal(events.Select(e => e.Data["id"]!.GetValue<long>().ToString()), events.Select(e => e.Id));

        // A consumer that saw only the first event reconnects with its id and gets the other two, nothing else.
        await using var resumed = await SseClient.ConnectAsync(node.Client, "/api/v1/alerts/stream?host=sse-host", lastEventId: events[0].Id);
        var missed = await resumed.ReadAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal(events.Skip(1).Select(e => e.Id), missed.Select(e => e.Id));

        // Then both see the next episode as it happens.
        await PostCpuAsync(node.Client, "sse-host", 150, 99);
        Assert.Equal("pending", (await live.ReadAsync(1, TimeSpan.FromSeconds(30)))[0].Data["to"]!.GetValue<string>());
        Assert.Equal("pending", (await resumed.ReadAsync(1, TimeSpan.FromSeconds(30)))[0].Data["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_stream_client_gets_each_event_from_the_one_query_of_the_log_the_node_runs()
    {
        await using var node = new PerfNodeProcess();
        await node.StartAsync();
        var clients = new List<SseClient>();
        try
        {
            for (var i = 0; i < 30; i++) clients.Add(await SseClient.ConnectAsync(node.Client, "/api/v1/alerts/stream?host=fan-host"));

            foreach (var (s, v) in new[] { (0, 95.0), (30, 95.0), (60, 95.0) }) await PostCpuAsync(node.Client, "fan-host", s, v);

            foreach (var client in clients)
                Assert.Equal(["pending", "firing"], (await client.ReadAsync(2, TimeSpan.FromSeconds(30))).Select(e => e.Data["to"]!.GetValue<string>()));
            // Thirty clients and the notification dispatcher follow the log; one query reads it (each polled it before).
            var metrics = await node.Client.GetStringAsync("/metrics");
            Assert.Equal(1, Gauge(metrics, "perf_alert_log_readers"));
            Assert.InRange(Gauge(metrics, "perf_alert_log_followers"), 30, 31);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }

        static long Gauge(string metrics, string name) =>
            long.Parse(metrics.Split('\n').Single(line => line.StartsWith(name + "{", StringComparison.Ordinal)).Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alives_and_stays_open_for_the_next_event()
    {
        await using var idle = await SseClient.ConnectAsync(fixture.Client, "/api/v1/alerts/stream?host=idle-host");
        Assert.Equal("connected", await idle.ReadCommentAsync(TimeSpan.FromSeconds(10)));

        // Nothing for this host for 15 s: a keep-alive (it once ended the stream instead: a stream element cannot be null).
        Assert.Equal("keep-alive", await idle.ReadCommentAsync(TimeSpan.FromSeconds(40)));

        foreach (var (s, v) in new[] { (0, 95.0), (30, 95.0) }) await PostCpuAsync(fixture.Client, "idle-host", s, v);
        Assert.Equal("pending", (await idle.ReadAsync(1, TimeSpan.FromSeconds(30)))[0].Data["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_websocket_twin_of_the_stream_carries_the_same_events()
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("X-Api-Key", PerfNodeProcess.AdminKey);
        var url = new Uri(fixture.Node.BaseAddress.ToString().Replace("http://", "ws://") + "api/v1/alerts/stream?host=ws-host");
        await socket.ConnectAsync(url, CancellationToken.None);

        foreach (var (s, v) in new[] { (0, 95.0), (30, 95.0), (60, 95.0) }) await PostCpuAsync(fixture.Client, "ws-host", s, v);

        var received = new List<System.Text.Json.Nodes.JsonNode>();
        var buffer = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (received.Count < 2)
        {
            var message = await socket.ReceiveAsync(buffer, cts.Token);
            Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Text, message.MessageType);
            received.Add(System.Text.Json.Nodes.JsonNode.Parse(buffer.AsSpan(0, message.Count))!);
        }
        Assert.Equal(["pending", "firing"], received.Select(e => e["to"]!.GetValue<string>()));
        Assert.All(received, e => Assert.Equal("ws-host", e["host"]!.GetValue<string>()));
        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task The_alert_list_shows_each_alerts_latest_state_with_filters_and_bad_filters_get_problems()
    {
        await using var node = new PerfNodeProcess();
        await node.StartAsync();
        foreach (var (s, v) in new[] { (0, 95.0), (30, 95.0), (60, 95.0), (90, 10.0) }) await PostCpuAsync(node.Client, "list-host", s, v);
        foreach (var (s, v) in new[] { (0, 75.0), (30, 75.0), (60, 76.0) }) await PostCpuAsync(node.Client, "other-host", s, v);

        var resolved = await AwaitAlertsAsync(node.Client, "/api/v1/alerts?host=list-host&state=resolved", 1);
        var alert = resolved["alerts"]![0]!;
        Assert.Equal(("cpu_usage", "cpu.usage", "critical"), (alert["rule"]!.GetValue<string>(), alert["metric"]!.GetValue<string>(), alert["severity"]!.GetValue<string>()));
        Assert.Equal(Start, DateTimeOffset.Parse(alert["started_at"]!.GetValue<string>()));
        Assert.Equal(Start.AddSeconds(90), DateTimeOffset.Parse(alert["updated_at"]!.GetValue<string>()));
        var history = await node.Client.GetJsonAsync($"/api/v1/alerts/{alert["id"]!.GetValue<string>()}");
        Assert.Equal(["pending", "firing", "resolved"], history["transitions"]!.AsArray().Select(t => t!["to"]!.GetValue<string>()));
        Assert.Equal("resolved", history["state"]!.GetValue<string>());
        await (await node.Client.GetAsync("/api/v1/alerts/cpu_usage-1-0000000000000000")).ExpectProblemAsync(HttpStatusCode.NotFound, "id");
        // (Host filtered: the node's own system alerts could fire with a warning too on a loaded machine.)
        var firing = await AwaitAlertsAsync(node.Client, "/api/v1/alerts?state=firing&severity=warning&host=*-host", 1);
        Assert.Equal("other-host", firing["alerts"]![0]!["host"]!.GetValue<string>());
        Assert.Equal(0, (await node.Client.GetJsonAsync("/api/v1/alerts?host=list-host&state=firing"))["count"]!.GetValue<int>());

        await (await node.Client.GetAsync("/api/v1/alerts?state=burning")).ExpectProblemAsync(HttpStatusCode.BadRequest, "state");
        await (await node.Client.GetAsync("/api/v1/alerts?severity=none")).ExpectProblemAsync(HttpStatusCode.BadRequest, "severity");
        await (await node.Client.GetAsync("/api/v1/alerts?since=yesterday")).ExpectProblemAsync(HttpStatusCode.BadRequest, "since");
        var stream = new HttpRequestMessage(HttpMethod.Get, "/api/v1/alerts/stream");
        stream.Headers.Add("Last-Event-ID", "abc");
        await (await node.Client.SendAsync(stream)).ExpectProblemAsync(HttpStatusCode.BadRequest, "Last-Event-ID");

        var rules = await node.Client.GetJsonAsync("/api/v1/alert-rules");
        Assert.Contains(rules["rules"]!.AsArray(), r => r!["id"]!.GetValue<string>() == "response_time" && r["metric"]!.GetValue<string>() == "application.response_time");
    }

    /// <summary>Transitions reach the log right after the write that caused them; the list reads the log.</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> AwaitAlertsAsync(HttpClient client, string path, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var answer = await client.GetJsonAsync(path);
            if (answer["count"]!.GetValue<int>() == count) return answer;
            await Task.Delay(100, cts.Token);
        }
    }

    [Fact]
    public async Task Deleting_a_rule_ends_its_firing_alert_on_a_series_that_sends_nothing_more()
    {
        using (var created = await fixture.Client.PostJsonAsync(
            """{"id": "queue_deep", "host": "retire-host", "metric": "queue.depth", "warning": 50, "for": "0s"}""", "/api/v1/alert-rules"))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = $$"""{"host": "retire-host", "timestamp": "{{NodeApi.Iso(Start)}}", "metrics": {"queue": {"depth": 60} } }""";
        await (await fixture.Client.PostJsonAsync(body)).ExpectAcceptedAsync();
        await AwaitAlertsAsync(fixture.Client, "/api/v1/alerts?host=retire-host&state=firing", 1);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.DeleteAsync("/api/v1/alert-rules/queue_deep")).StatusCode);

        // No sample follows: the deletion itself ends the alert, instead of leaving it firing (and renotified) for good.
        var resolved = await AwaitAlertsAsync(fixture.Client, "/api/v1/alerts?host=retire-host&state=resolved", 1);
        Assert.Equal("queue_deep", resolved["alerts"]![0]!["rule"]!.GetValue<string>());
        Assert.Equal(0, (await fixture.Client.GetJsonAsync("/api/v1/alerts?host=retire-host&state=firing"))["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_rule_created_through_the_api_applies_to_a_live_series_survives_a_restart_and_can_be_deleted()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-alert-rule-tests", Guid.NewGuid().ToString("N"));
        await using (var node = new PerfNodeProcess(dataDirectory: dataDir))
        {
            await node.StartAsync();
            await PostMemoryFreeAsync(node.Client, 0, 50); // the series exists before any rule watches it
            var rule = """{"id": "memory_free_low", "name": "Free memory low", "host": "rule-*", "metric": "memory.free", "warning": 100, "below": true, "for": "0s"}""";
            using var created = await node.Client.PostJsonAsync(rule, "/api/v1/alert-rules");
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/api/v1/alert-rules/memory_free_low", created.Headers.Location?.OriginalString);

            await PostMemoryFreeAsync(node.Client, 30, 40);
            var firing = await AwaitAlertsAsync(node.Client, "/api/v1/alerts?host=rule-host&state=firing", 1);
            Assert.Equal("memory_free_low", firing["alerts"]![0]!["rule"]!.GetValue<string>());

            using var duplicate = await node.Client.PostJsonAsync(rule, "/api/v1/alert-rules");
            await duplicate.ExpectProblemAsync(HttpStatusCode.Conflict, "id");
            await node.KillAsync();
        }

        await using var restarted = new PerfNodeProcess(dataDirectory: dataDir);
        await restarted.StartAsync();
        var stored = await restarted.Client.GetJsonAsync("/api/v1/alert-rules/memory_free_low");
        Assert.Equal(("memory.free", true, "0s"), (stored["metric"]!.GetValue<string>(), stored["below"]!.GetValue<bool>(), stored["for"]!.GetValue<string>()));

        var replaced = """{"metric": "memory.free", "host": "rule-*", "warning": 10, "below": true}""";
        using (var put = await restarted.Client.PutAsync("/api/v1/alert-rules/memory_free_low", new StringContent(replaced, System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(10, (await restarted.Client.GetJsonAsync("/api/v1/alert-rules/memory_free_low"))["warning"]!.GetValue<double>());
        await PostMemoryFreeAsync(restarted.Client, 60, 45); // above the new level: resolves
        await AwaitAlertsAsync(restarted.Client, "/api/v1/alerts?host=rule-host&state=resolved", 1);

        Assert.Equal(HttpStatusCode.NoContent, (await restarted.Client.DeleteAsync("/api/v1/alert-rules/memory_free_low")).StatusCode);
        await (await restarted.Client.GetAsync("/api/v1/alert-rules/memory_free_low")).ExpectProblemAsync(HttpStatusCode.NotFound, "id");
        await (await restarted.Client.DeleteAsync("/api/v1/alert-rules/memory_free_low")).ExpectProblemAsync(HttpStatusCode.NotFound, "id");
    }

    [Theory]
    [InlineData("""{"id": "x", "warning": 5}""", "metric")]
    [InlineData("""{"id": "x", "metric": "cpu.usage"}""", "warning")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "warning": 90, "critical": 80}""", "critical")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "warning": "high"}""", "warning")]
    [InlineData("""{"id": "x y", "metric": "cpu.usage", "warning": 1}""", "id")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "warning": 1, "for": "soon"}""", "for")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "kind": "prophecy"}""", "kind")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "kind": "anomaly", "anomaly_kinds": ["blip"]}""", "anomaly_kinds")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "warning": 1, "colour": "red"}""", "colour")]
    [InlineData("""{"id": "x", "metric": "disk.usage", "kind": "trend", "horizon": "4h"}""", "warning")]
    [InlineData("""{"id": "x", "metric": "disk.usage", "kind": "trend", "critical": 90}""", "horizon")]
    [InlineData("""{"id": "x", "metric": "disk.usage", "kind": "trend", "critical": 90, "horizon": "soon"}""", "horizon")]
    [InlineData("""{"id": "x", "metric": "disk.usage", "kind": "trend", "critical": 90, "horizon": "0s"}""", "horizon")]
    [InlineData("""{"id": "x", "metric": "disk.usage", "kind": "trend", "critical": 90, "horizon": "4h", "trend_window": "0s"}""", "trend_window")]
    [InlineData("""{"id": "x", "metric": "disk.usage", "kind": "trend", "warning": 90, "critical": 80, "horizon": "4h"}""", "critical")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "kind": "nodata", "intervals": 0}""", "intervals")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "kind": "nodata", "intervals": 2.5}""", "intervals")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "kind": "nodata", "intervals": "3"}""", "intervals")]
    [InlineData("""{"id": "x", "metric": "cpu.usage", "kind": "nodata", "severity": "page"}""", "severity")]
    public async Task An_invalid_rule_is_refused_naming_the_field_and_changes_nothing(string body, string field)
    {
        using var response = await fixture.Client.PostJsonAsync(body, "/api/v1/alert-rules");
        await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, field);
        await (await fixture.Client.GetAsync("/api/v1/alert-rules/x")).ExpectProblemAsync(HttpStatusCode.NotFound, "id");
    }

    [Fact]
    public async Task Trend_and_no_data_rules_are_written_back_with_their_fields_and_defaults()
    {
        using (var trend = await fixture.Client.PostJsonAsync("""{"id": "disk_trend", "kind": "trend", "host": "nobody", "metric": "disk.usage", "critical": 90, "horizon": "4h"}""", "/api/v1/alert-rules"))
            Assert.Equal(HttpStatusCode.Created, trend.StatusCode);
        using (var silent = await fixture.Client.PostJsonAsync("""{"id": "api_silent", "kind": "nodata", "host": "nobody", "metric": "cpu.usage", "intervals": 5, "severity": "critical"}""", "/api/v1/alert-rules"))
            Assert.Equal(HttpStatusCode.Created, silent.StatusCode);

        var stored = await fixture.Client.GetJsonAsync("/api/v1/alert-rules/disk_trend");
        Assert.Equal(("trend", "4h", "1h", 90.0), (stored["kind"]!.GetValue<string>(), stored["horizon"]!.GetValue<string>(),
            stored["trend_window"]!.GetValue<string>(), stored["critical"]!.GetValue<double>()));
        var nodata = await fixture.Client.GetJsonAsync("/api/v1/alert-rules/api_silent");
        Assert.Equal(("nodata", 5, "critical"), (nodata["kind"]!.GetValue<string>(), nodata["intervals"]!.GetValue<int>(), nodata["severity"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.DeleteAsync("/api/v1/alert-rules/disk_trend")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.DeleteAsync("/api/v1/alert-rules/api_silent")).StatusCode);
    }

    /// <summary>Silence of 4 x 500 ms, passivation after 1 s idle: the alert can only fire if the silent series is kept alive.</summary>
    [Fact]
    public async Task A_series_that_stops_reporting_fires_its_no_data_rule_although_it_outlasts_passivation_and_its_next_sample_resolves_it()
    {
        await using var node = new PerfNodeProcess(new Dictionary<string, string>
        {
            ["PERF_PERF__SERIES__PASSIVATE_AFTER"] = "1s",
            ["PERF_PERFORMANCE__COLLECTION_INTERVAL"] = "500ms",
        });
        await node.StartAsync();
        using (var created = await node.Client.PostJsonAsync(
            """{"id": "silent", "kind": "nodata", "host": "quiet-host", "metric": "cpu.usage", "intervals": 4, "severity": "critical"}""", "/api/v1/alert-rules"))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await PostCpuAsync(node.Client, "quiet-host", 0, 10);
        var firing = await AwaitAlertsAsync(node.Client, "/api/v1/alerts?host=quiet-host&state=firing", 1);
        Assert.Equal(("silent", "critical"), (firing["alerts"]![0]!["rule"]!.GetValue<string>(), firing["alerts"]![0]!["severity"]!.GetValue<string>()));

        await PostCpuAsync(node.Client, "quiet-host", 30, 10);
        await AwaitAlertsAsync(node.Client, "/api/v1/alerts?host=quiet-host&state=resolved", 1);
    }

    private static async Task PostMemoryFreeAsync(HttpClient client, int seconds, double value)
    {
        var body = $$"""{"host": "rule-host", "timestamp": "{{NodeApi.Iso(Start.AddSeconds(seconds))}}", "metrics": {"memory": {"free": {{value}} } } }""";
        await (await client.PostJsonAsync(body)).ExpectAcceptedAsync();
    }
}
