using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>Every endpoint of the foundation against a real node.</summary>
public sealed class IngestAndQueryTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private readonly HttpClient _client = fixture.Client;

    private static string DocumentSample(string host, DateTimeOffset t, double cpu) => $$"""
        {
            "host": "{{host}}",
            "timestamp": "{{NodeApi.Iso(t)}}",
            "metrics": {
                "cpu": { "usage": {{cpu.ToString(CultureInfo.InvariantCulture)}}, "load": 1.5, "cores": 4 },
                "memory": { "total": 16384, "used": 8192, "free": 8192 },
                "disk": { "total": 1024000, "used": 256000, "free": 768000 },
                "network": { "bytes_in": 1024000, "bytes_out": 512000, "connections": 100 }
            }
        }
        """;

    [Fact]
    public async Task The_documents_body_is_stored_as_one_series_per_numeric_leaf_plus_derived_usage()
    {
        var t = NodeApi.RecentSecond(2);
        var accepted = await (await _client.PostJsonAsync(DocumentSample("doc-host", t, 45.2))).ExpectAcceptedAsync();
        Assert.Equal(12 + 2, accepted["accepted"]!.GetValue<int>()); // 12 leaves + memory.usage + disk.usage
        Assert.Equal(0, accepted["rejected"]!.GetValue<int>());

        var host = await _client.GetJsonAsync("/api/v1/hosts/doc-host");
        var metrics = host["series"]!.AsArray().Select(s => s!["metric"]!.GetValue<string>()).ToArray();
        Assert.Equal(new[]
        {
            "cpu.cores", "cpu.load", "cpu.usage", "disk.free", "disk.total", "disk.usage", "disk.used",
            "memory.free", "memory.total", "memory.usage", "memory.used",
            "network.bytes_in", "network.bytes_out", "network.connections",
        }, metrics);
        var memory = host["series"]!.AsArray().Single(s => s!["metric"]!.GetValue<string>() == "memory.usage")!;
        Assert.Equal(50.0, memory["value"]!.GetValue<double>());
        Assert.Equal(NodeApi.Iso(t).Replace(".000", ""), memory["timestamp"]!.GetValue<string>());

        var hosts = await _client.GetJsonAsync("/api/v1/hosts");
        Assert.Contains("doc-host", hosts["hosts"]!.AsArray().Select(h => h!.GetValue<string>()));
    }

    [Fact]
    public async Task A_point_stamped_ahead_within_the_default_skew_does_not_make_its_series_refuse_on_time_points()
    {
        // The default skew (5m) is no wider than the out-of-order tolerance (5m): a point from a clock running fast is
        // either refused outright or close enough that the series' on-time points stay inside the tolerance.
        var now = NodeApi.RecentSecond(0);
        static string Sample(DateTimeOffset t, double usage) =>
            NodeApi.Serialize(new { host = "skew-host", timestamp = NodeApi.Iso(t), metrics = new { cpu = new { usage } } });
        await (await _client.PostJsonAsync(Sample(now.AddMinutes(9), 30))).ExpectProblemAsync(HttpStatusCode.BadRequest, "timestamp");
        var ahead = await (await _client.PostJsonAsync(Sample(now.AddSeconds(290), 10))).ExpectAcceptedAsync();
        Assert.Equal(1, ahead["accepted"]!.GetValue<int>());
        var onTime = await (await _client.PostJsonAsync(Sample(now, 20))).ExpectAcceptedAsync();
        Assert.Equal((1, 0), (onTime["accepted"]!.GetValue<int>(), onTime["rejected"]!.GetValue<int>()));

        var from = Uri.EscapeDataString(NodeApi.Iso(now.AddMinutes(-1)));
        var to = Uri.EscapeDataString(NodeApi.Iso(now.AddMinutes(5)));
        var points = (await _client.GetJsonAsync($"/api/v1/series/skew-host/cpu.usage?start={from}&end={to}"))["points"]!.AsArray();
        Assert.Equal([20.0, 10.0], points.Select(p => p!["value"]!.GetValue<double>())); // nothing of the refused point
    }

    [Fact]
    public async Task Without_a_host_samples_go_to_the_default_host_and_get_metrics_answers_in_the_documents_shape()
    {
        var t = NodeApi.RecentSecond(3);
        var body = $$"""{"timestamp": "{{NodeApi.Iso(t)}}", "metrics": {"cpu": {"usage": 40}, "memory": {"total": 200, "used": 50}, "network": {"usage": 75} } }""";
        await (await _client.PostJsonAsync(body)).ExpectAcceptedAsync();
        var body2 = $$"""{"timestamp": "{{NodeApi.Iso(t.AddSeconds(10))}}", "metrics": {"cpu": {"usage": 50} } }""";
        await (await _client.PostJsonAsync(body2)).ExpectAcceptedAsync();

        var from = Uri.EscapeDataString(NodeApi.Iso(t.AddSeconds(-1)));
        var to = Uri.EscapeDataString(NodeApi.Iso(t.AddSeconds(20)));
        var answer = await _client.GetJsonAsync($"/api/v1/performance/metrics?start_time={from}&end_time={to}&interval=1h");
        var rows = answer["metrics"]!.AsArray();
        var row = Assert.Single(rows)!;
        Assert.Equal(45.0, row["cpu_usage"]!.GetValue<double>());
        Assert.Equal(25.0, row["memory_usage"]!.GetValue<double>());
        Assert.Null(row["disk_usage"]);
        Assert.Equal(75.0, row["network_usage"]!.GetValue<double>());
        var cpu = answer["aggregation"]!["cpu_usage"]!;
        Assert.Equal(45.0, cpu["avg"]!.GetValue<double>());
        Assert.Equal(50.0, cpu["max"]!.GetValue<double>());
        Assert.Equal(40.0, cpu["min"]!.GetValue<double>());

        // metric_type selects one group: every series of it becomes a column.
        var memory = await _client.GetJsonAsync($"/api/v1/performance/metrics?host=default&start_time={from}&end_time={to}&interval=1h&metric_type=memory");
        var memoryRow = Assert.Single(memory["metrics"]!.AsArray())!;
        Assert.Equal(50.0, memoryRow["memory_used"]!.GetValue<double>());
        Assert.Equal(200.0, memoryRow["memory_total"]!.GetValue<double>());
        Assert.Null(memoryRow["cpu_usage"]);

        // It also takes the answer's own column names, or series names, comma-separated.
        var chosen = await _client.GetJsonAsync($"/api/v1/performance/metrics?start_time={from}&end_time={to}&interval=1h&metric_type=cpu_usage,memory.used");
        var chosenRow = Assert.Single(chosen["metrics"]!.AsArray())!.AsObject();
        Assert.Equal(["cpu_usage", "memory_used", "timestamp"], chosenRow.Select(p => p.Key).Order());
        Assert.Equal(45.0, chosenRow["cpu_usage"]!.GetValue<double>());
        await (await _client.GetAsync($"/api/v1/performance/metrics?metric_type=cpu_usage,gpu_usage")).ExpectProblemAsync(HttpStatusCode.NotFound, "metric_type");
    }

    [Fact]
    public async Task A_batch_array_with_hosts_and_labels_stores_each_labelled_series()
    {
        var t = NodeApi.RecentSecond(4);
        var batch = $$"""
            [
              {"host": "batch-a", "timestamp": "{{NodeApi.Iso(t)}}", "labels": {"region": "eu", "az": "1"}, "metrics": {"application": {"response_time": 120, "error_rate": 0.5, "request_count": 900} } },
              {"host": "batch-b", "timestamp": "{{NodeApi.Iso(t)}}", "metrics": {"custom": {"queue": {"depth": 7} } } }
            ]
            """;
        var accepted = await (await _client.PostJsonAsync(batch)).ExpectAcceptedAsync();
        Assert.Equal(4, accepted["accepted"]!.GetValue<int>());
        var metric = Uri.EscapeDataString("application.response_time{az=\"1\",region=\"eu\"}");
        var series = await _client.GetJsonAsync($"/api/v1/series/batch-a/{metric}?start=0");
        Assert.Equal(120.0, Assert.Single(series["points"]!.AsArray())!["value"]!.GetValue<double>());
        var nested = await _client.GetJsonAsync("/api/v1/series/batch-b/custom.queue.depth?start=0");
        Assert.Equal(7.0, Assert.Single(nested["points"]!.AsArray())!["value"]!.GetValue<double>());
    }

    public static TheoryData<string, double[]> Aggregations() => new()
    {
        // values 1..10 at one per minute in one 10-minute bucket
        { "avg", [5.5] }, { "min", [1] }, { "max", [10] }, { "sum", [55] }, { "count", [10] }, { "last", [10] },
        { "p50", [5.5] }, { "p95", [9.55] }, { "p99", [9.91] },
    };

    [Theory]
    [MemberData(nameof(Aggregations))]
    public async Task Series_queries_aggregate_per_step(string agg, double[] expected)
    {
        var host = "agg-" + agg;
        var start = NodeApi.RecentSecond(60);
        start = start.AddTicks(-(start.Ticks % TimeSpan.FromMinutes(10).Ticks)); // align to a 10-minute bucket
        var samples = Enumerable.Range(1, 10).Select(i => new
        {
            host,
            timestamp = NodeApi.Iso(start.AddMinutes(i - 1)),
            metrics = new { app = new { latency = (double)i } },
        });
        await (await _client.PostJsonAsync(NodeApi.Serialize(samples))).ExpectAcceptedAsync();
        var from = Uri.EscapeDataString(NodeApi.Iso(start));
        var to = Uri.EscapeDataString(NodeApi.Iso(start.AddMinutes(9)));
        var answer = await _client.GetJsonAsync($"/api/v1/series/{host}/app.latency?start={from}&end={to}&step=10m&agg={agg}");
        Assert.Equal(host, answer["host"]!.GetValue<string>());
        Assert.Equal("app.latency", answer["metric"]!.GetValue<string>());
        Assert.Equal(agg, answer["agg"]!.GetValue<string>());
        Assert.Equal("10m", answer["step"]!.GetValue<string>());
        var values = answer["points"]!.AsArray().Select(p => p!["value"]!.GetValue<double>()).ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 9);

        var raw = await _client.GetJsonAsync($"/api/v1/series/{host}/app.latency?start={from}&end={to}");
        Assert.Equal(10, raw["points"]!.AsArray().Count);
        Assert.Null(raw["step"]);
    }

    [Fact]
    public async Task The_state_endpoint_shows_what_the_series_actor_holds()
    {
        var t = NodeApi.RecentSecond(5);
        var samples = Enumerable.Range(0, 30).Select(i => new { host = "state-host", timestamp = NodeApi.Iso(t.AddSeconds(i)), metrics = new { cpu = new { usage = 10.0 + i } } });
        await (await _client.PostJsonAsync(NodeApi.Serialize(samples))).ExpectAcceptedAsync();
        var state = await _client.GetJsonAsync("/api/v1/series/state-host/cpu.usage/state");
        Assert.Equal(30, state["point_count"]!.GetValue<long>());
        Assert.Equal(NodeApi.Iso(t).Replace(".000", ""), state["first_timestamp"]!.GetValue<string>());
        Assert.Equal(NodeApi.Iso(t.AddSeconds(29)).Replace(".000", ""), state["last_timestamp"]!.GetValue<string>());
        Assert.Equal(39.0, state["last_value"]!.GetValue<double>());
        Assert.True(state["bytes"]!.GetValue<long>() is > 0 and < 30 * 16, "the head is compressed");
        Assert.NotNull(state["chunks"]!["count"]);
        Assert.NotNull(state["detectors"]);
    }

    [Fact]
    public async Task Points_older_than_the_tolerance_are_rejected_and_counted_late_ones_within_it_are_placed_in_order()
    {
        var t = NodeApi.RecentSecond(1);
        string Sample(DateTimeOffset at, double v) => $$"""{"host": "late-host", "timestamp": "{{NodeApi.Iso(at)}}", "metrics": {"cpu": {"usage": {{v}} } } }""";
        await (await _client.PostJsonAsync(Sample(t, 1))).ExpectAcceptedAsync();
        var tooOld = await (await _client.PostJsonAsync(Sample(t.AddMinutes(-10), 2))).ExpectAcceptedAsync();
        Assert.Equal(0, tooOld["accepted"]!.GetValue<int>());
        Assert.Equal(1, tooOld["rejected"]!.GetValue<int>());
        Assert.Equal(1, tooOld["rejected_series"]!["late-host/cpu.usage"]!.GetValue<int>());
        await (await _client.PostJsonAsync(Sample(t.AddMinutes(-2), 3))).ExpectAcceptedAsync();

        var points = (await _client.GetJsonAsync("/api/v1/series/late-host/cpu.usage?start=0"))["points"]!.AsArray();
        Assert.Equal([3.0, 1.0], points.Select(p => p!["value"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Sending_the_same_points_again_stores_them_once()
    {
        var t = NodeApi.RecentSecond(6);
        var body = $$"""{"host": "retry-host", "timestamp": "{{NodeApi.Iso(t)}}", "metrics": {"cpu": {"usage": 5} } }""";
        for (var i = 0; i < 3; i++) await (await _client.PostJsonAsync(body)).ExpectAcceptedAsync();
        var points = (await _client.GetJsonAsync("/api/v1/series/retry-host/cpu.usage?start=0"))["points"]!.AsArray();
        Assert.Single(points);
    }

    [Fact]
    public async Task Unknown_hosts_and_series_answer_404_with_a_problem()
    {
        await (await _client.GetAsync("/api/v1/hosts/nobody-here")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
        await (await _client.GetAsync("/api/v1/series/nobody-here/cpu.usage")).ExpectProblemAsync(HttpStatusCode.NotFound, "metric");
        await (await _client.GetAsync("/api/v1/series/nobody-here/cpu.usage/state")).ExpectProblemAsync(HttpStatusCode.NotFound, "metric");
        await (await _client.GetAsync("/api/v1/performance/metrics?host=nobody-here")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    [Theory]
    [InlineData("/api/v1/series/h/cpu.usage?agg=p42&step=1m", "agg")]
    [InlineData("/api/v1/series/h/cpu.usage?step=banana", "step")]
    [InlineData("/api/v1/series/h/cpu.usage?start=yesterday", "start")]
    [InlineData("/api/v1/series/h/cpu.usage?start=2000&end=1000", "start")]
    [InlineData("/api/v1/series/h/cpu.usage?start=0&step=1ms", "step")]
    [InlineData("/api/v1/performance/metrics?interval=0s", "interval")]
    [InlineData("/api/v1/performance/metrics?end_time=soon", "end_time")]
    [InlineData("/api/v1/performance/metrics?host=bad%20host", "host")]
    public async Task Bad_query_parameters_get_400_naming_the_parameter(string path, string field) =>
        await (await _client.GetAsync(path)).ExpectProblemAsync(HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Health_and_prometheus_metrics_are_served()
    {
        Assert.Equal("live", (await _client.GetJsonAsync("/health/live"))["status"]!.GetValue<string>());
        Assert.Equal("ready", (await _client.GetJsonAsync("/health/ready"))["status"]!.GetValue<string>());
        var body = $$"""{"host": "metrics-host", "timestamp": "{{NodeApi.Iso(NodeApi.RecentSecond())}}", "metrics": {"cpu": {"usage": 5} } }""";
        await (await _client.PostJsonAsync(body)).ExpectAcceptedAsync();
        await (await _client.PostJsonAsync("{", NodeApi.MetricsPath)).ExpectProblemAsync(HttpStatusCode.BadRequest, "body");
        // The exporter caches a scrape briefly; poll until the counters show this test's points.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        do
        {
            text = await _client.GetStringAsync("/metrics");
            if (text.Contains("perf_points_ingested_total") && text.Contains("perf_requests_rejected_total")) break;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Contains("perf_points_ingested_total", text);
        Assert.Contains("perf_journal_write_duration_milliseconds_bucket", text);
        Assert.Contains("perf_series_active", text);
        Assert.Contains("perf_process_resident_memory_bytes", text);
        Assert.Contains("perf_requests_rejected_total{otel_scope_name=\"Perf\",otel_scope_version=\"1.0\",reason=\"invalid\"}", text);
        var active = text.Split('\n').First(l => l.StartsWith("perf_series_active", StringComparison.Ordinal));
        Assert.True(double.Parse(active.Split(' ')[^1], CultureInfo.InvariantCulture) >= 1, active);
    }
}
