using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>POST /api/v1/performance/analyze over data ingested through the API, with answers known in advance.</summary>
public sealed class AnalysisTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private const string Host = "analysis-host";
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DefaultNode, Task> Ingested = new();

    /// <summary>
    /// Three days of 5-minute samples: cpu rises 0.5 per hour, memory is flat, response time follows a daily cycle that
    /// peaks at 15:00 UTC, and disk follows response time.
    /// </summary>
    /// <summary>Once per node: the tests of this class share it.</summary>
    private Task IngestAsync()
    {
        lock (Ingested) return Ingested.GetValue(fixture, _ => IngestOnceAsync());
    }

    private async Task IngestOnceAsync()
    {
        var end = NodeApi.RecentSecond(1);
        var start = end.AddHours(-72);
        var random = new Random(7);
        var samples = new List<object>();
        for (var t = start; t <= end; t = t.AddMinutes(5))
        {
            var hours = (t - start).TotalHours;
            var dayPhase = 2 * Math.PI * (t.UtcDateTime.TimeOfDay.TotalHours - 15) / 24;
            var responseTime = 300 + 200 * Math.Cos(dayPhase) + random.NextDouble() * 10;
            samples.Add(new
            {
                host = Host,
                timestamp = NodeApi.Iso(t),
                metrics = new
                {
                    cpu = new { usage = 20 + 0.5 * hours + random.NextDouble() * 2 },
                    memory = new { usage = 50 + random.NextDouble() * 2 },
                    disk = new { usage = 10 + responseTime / 10 + random.NextDouble() },
                    application = new { response_time = responseTime },
                },
            });
        }
        foreach (var batch in samples.Chunk(300)) await (await fixture.Client.PostJsonAsync(NodeApi.Serialize(batch))).ExpectAcceptedAsync();
    }

    private async Task<JsonNode> AnalyzeAsync(string body)
    {
        using var response = await fixture.Client.PostJsonAsync(body, "/api/v1/performance/analyze");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task A_full_analysis_finds_the_trends_the_daily_peak_the_correlation_and_what_drives_response_time()
    {
        await IngestAsync();

        var answer = await AnalyzeAsync($$"""
            {"analysis_type": "full", "host": "{{Host}}", "metrics": ["cpu_usage", "memory_usage", "response_time", "disk_usage"], "time_range": "72h"}
            """);

        var trends = answer["trends"]!;
        Assert.Equal("increasing", trends["cpu_usage"]!["trend"]!.GetValue<string>());
        Assert.InRange(trends["cpu_usage"]!["slope_per_hour"]!.GetValue<double>(), 0.45, 0.55);
        Assert.Equal("cpu.usage", trends["cpu_usage"]!["series"]!.GetValue<string>());
        Assert.Equal("stable", trends["memory_usage"]!["trend"]!.GetValue<string>());
        var peak = Assert.Single(trends["response_time"]!["patterns"]!.AsArray(), p => p!["type"]!.GetValue<string>() == "daily_peak")!;
        Assert.Equal("15:00", peak["time"]!.GetValue<string>());
        Assert.True(peak["confidence"]!.GetValue<double>() >= 0.9, peak.ToJsonString());
        var pair = Assert.Single(answer["correlations"]!.AsArray(), c =>
            c!["metrics"]!.AsArray().Select(m => m!.GetValue<string>()).SequenceEqual(["response_time", "disk_usage"]))!;
        Assert.True(pair["correlation"]!.GetValue<double>() > 0.95, pair.ToJsonString());
        Assert.NotNull(trends["cpu_usage"]!["anomalies"]);
        Assert.Equal("disk.usage", answer["bottleneck"]!["explains_response_time"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_documents_example_request_answers_in_the_documents_shape()
    {
        await IngestAsync();

        var answer = await AnalyzeAsync($$"""
            {"analysis_type": "trend", "host": "{{Host}}", "metrics": ["cpu_usage", "memory_usage"], "time_range": "24h",
             "options": {"detect_anomalies": true, "identify_patterns": true, "calculate_correlations": true} }
            """);

        foreach (var metric in new[] { "cpu_usage", "memory_usage" })
        {
            var entry = answer["trends"]![metric]!;
            Assert.Contains(entry["trend"]!.GetValue<string>(), new[] { "increasing", "decreasing", "stable" });
            Assert.NotNull(entry["anomalies"]!.AsArray());
            Assert.NotNull(entry["patterns"]!.AsArray());
        }
        var correlation = Assert.Single(answer["correlations"]!.AsArray())!;
        Assert.Equal(["cpu_usage", "memory_usage"], correlation["metrics"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Null(answer["bottleneck"]);
    }

    [Theory]
    [InlineData("""{"metrics": ["cpu_usage"]}""", "analysis_type")]
    [InlineData("""{"analysis_type": "astrology", "metrics": ["cpu_usage"]}""", "analysis_type")]
    [InlineData("""{"analysis_type": "trend", "metrics": []}""", "metrics")]
    [InlineData("""{"analysis_type": "trend", "metrics": [5]}""", "metrics[0]")]
    [InlineData("""{"analysis_type": "trend", "metrics": ["cpu_usage"], "time_range": "forever"}""", "time_range")]
    [InlineData("""{"analysis_type": "trend", "metrics": ["cpu_usage"], "time_range": "90d"}""", "time_range")]
    [InlineData("""{"analysis_type": "trend", "metrics": ["cpu_usage"], "host": "no spaces"}""", "host")]
    [InlineData("""{"analysis_type": "trend", "metrics": ["cpu_usage"], "options": {"detect_anomalies": "yes"}}""", "options.detect_anomalies")]
    [InlineData("""{"analysis_type": "trend", "metrics": ["cpu_usage"], "options": {"guess": true}}""", "options.guess")]
    [InlineData("""{"analysis_type": "trend", "metrics": ["cpu_usage"], "colour": "red"}""", "colour")]
    public async Task An_invalid_request_is_refused_naming_the_field(string body, string field)
    {
        using var response = await fixture.Client.PostJsonAsync(body, "/api/v1/performance/analyze");
        await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, field);
    }

    [Theory]
    [InlineData(101, HttpStatusCode.UnprocessableEntity)]
    [InlineData(10_000, HttpStatusCode.UnprocessableEntity)]
    [InlineData(100, HttpStatusCode.NotFound)] // allowed; the host has none of them
    public async Task The_metrics_of_one_request_are_bounded_before_any_work(int count, HttpStatusCode expected)
    {
        var metrics = string.Join(", ", Enumerable.Range(0, count).Select(i => $"\"m.n{i}\""));
        using var response = await fixture.Client.PostJsonAsync(
            $$"""{"analysis_type": "correlation", "host": "bounded-analysis", "metrics": [{{metrics}}]}""", "/api/v1/performance/analyze");
        if (expected == HttpStatusCode.NotFound)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            return;
        }
        var problem = await response.ExpectProblemAsync(expected, "metrics");
        Assert.Contains("at most 100", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_host_without_those_metrics_is_not_found()
    {
        using var response = await fixture.Client.PostJsonAsync("""{"analysis_type": "trend", "host": "nobody", "metrics": ["cpu_usage"]}""",
            "/api/v1/performance/analyze");
        await response.ExpectProblemAsync(HttpStatusCode.NotFound, "metrics");
    }

    [Fact]
    public async Task The_host_model_learns_how_metrics_move_together_and_reports_a_combination_that_breaks_it_also_as_an_alert()
    {
        const string host = "pca-host";
        const string rule = """{"id": "host_model", "kind": "anomaly", "anomaly_kinds": ["host_anomaly"], "host": "pca-host", "metric": "*", "for": "10m"}""";
        using (var created = await fixture.Client.PostJsonAsync(rule, "/api/v1/alert-rules")) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var start = NodeApi.RecentSecond(200);
        var random = new Random(11);
        async Task PostAsync(int minute, double cpu, double memory, double responseTime)
        {
            // One sample per request, as agents send them: the host sees each request's newest sample of each series.
            var body = $$"""{"host": "{{host}}", "timestamp": "{{NodeApi.Iso(start.AddMinutes(minute))}}", "metrics": {"cpu": {"usage": {{cpu}} }, "memory": {"usage": {{memory}} }, "application": {"response_time": {{responseTime}} } } }""";
            await (await fixture.Client.PostJsonAsync(body)).ExpectAcceptedAsync();
        }
        for (var minute = 0; minute < 130; minute++)
        {
            var load = 10 + random.NextDouble() * 80;
            await PostAsync(minute, load + random.NextDouble() * 3, 20 + 0.5 * load + random.NextDouble() * 2, 100 + 2 * load + random.NextDouble() * 6);
        }
        const string request = $$"""{"analysis_type": "anomaly", "host": "{{host}}", "metrics": ["cpu_usage"], "time_range": "6h"}""";
        using var trained = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await AnalyzeAsync(request))["host_anomalies"]!["model"]!["trained"]!.GetValue<bool>()) await Task.Delay(100, trained.Token);

        await PostAsync(130, 90, 25, 130); // a busy CPU while memory and response time say the host is idle

        using var found = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        JsonNode finding;
        while (true)
        {
            var anomalies = (await AnalyzeAsync(request))["host_anomalies"]!["anomalies"]!.AsArray();
            if (anomalies.FirstOrDefault(a => DateTimeOffset.Parse(a!["timestamp"]!.GetValue<string>()) == start.AddMinutes(130)) is { } match)
            {
                finding = match;
                break;
            }
            if (found.IsCancellationRequested) throw new InvalidOperationException((await AnalyzeAsync(request)).ToJsonString());
            await Task.Delay(100);
        }
        Assert.Equal(90, finding["values"]!["cpu.usage"]!.GetValue<double>());
        Assert.True(finding["score"]!.GetValue<double>() > finding["threshold"]!.GetValue<double>());

        // The finding also lands on the series furthest from usual, where the anomaly rule watching host_anomaly fires.
        var series = finding["most_unusual"]!.GetValue<string>();
        using var alerted = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await fixture.Client.GetJsonAsync($"/api/v1/alerts?host={host}&state=firing&metric={series}"))["count"]!.GetValue<int>() == 0)
            await Task.Delay(100, alerted.Token);
        var recorded = (await fixture.Client.GetJsonAsync($"/api/v1/series/{host}/{series}/anomalies?start=0"))["anomalies"]!.AsArray();
        Assert.Contains(recorded, a => a!["kind"]!.GetValue<string>() == "host_anomaly" && a["detector"]!.GetValue<string>() == "host-model");
    }
}
