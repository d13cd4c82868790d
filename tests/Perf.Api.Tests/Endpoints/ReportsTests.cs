using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Perf.Actors.Configuration;
using Perf.Api.Tests.Infrastructure;
using SkiaSharp;

namespace Perf.Api.Tests.Endpoints;

/// <summary>
/// Reports over a few hours of data of two hosts, made by a real node: each format's file is checked as a reader would
/// (the PDF with poppler, the CSV against the series endpoint).
/// </summary>
public sealed class ReportsTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private static readonly string[] Hosts = ["report-a", "report-b"];
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DefaultNode, Task> Ingested = new();

    private Task IngestAsync()
    {
        lock (Ingested) return Ingested.GetValue(fixture, _ => IngestOnceAsync());
    }

    /// <summary>Four hours of one-minute samples per host: cpu rising, memory flat with noise.</summary>
    private async Task IngestOnceAsync()
    {
        var end = NodeApi.RecentSecond(1);
        var random = new Random(11);
        var samples = new List<object>();
        foreach (var (host, h) in Hosts.Select((host, h) => (host, h)))
            for (var t = end.AddHours(-4); t <= end; t = t.AddMinutes(1))
                samples.Add(new
                {
                    host,
                    timestamp = NodeApi.Iso(t),
                    metrics = new
                    {
                        cpu = new { usage = 20 + 10 * h + 5 * (t - end.AddHours(-4)).TotalHours + random.NextDouble() },
                        memory = new { usage = 50 + random.NextDouble() * 3 },
                    },
                });
        foreach (var batch in samples.Chunk(200)) await (await fixture.Client.PostJsonAsync(NodeApi.Serialize(batch))).ExpectAcceptedAsync();
    }

    private async Task<(JsonNode Status, HttpResponseMessage Content)> ReportAsync(string format, bool hosts = true, string type = "performance_summary")
    {
        await IngestAsync();
        var request = hosts
            ? NodeApi.Serialize(new { report_type = type, time_range = "5h", metrics = new[] { "cpu_usage", "memory_usage" }, hosts = Hosts, format, include_graphs = true })
            : NodeApi.Serialize(new { report_type = type, time_range = "5h", metrics = new[] { "cpu_usage" }, format, include_graphs = false });
        using var created = await fixture.Client.PostJsonAsync(request, "/api/v1/performance/reports");
        var job = await created.ExpectAcceptedAsync();
        Assert.Equal("queued", job["status"]!.GetValue<string>());
        var id = job["id"]!.GetValue<string>();
        Assert.Equal($"/api/v1/reports/{id}", job["links"]!["self"]!.GetValue<string>());
        Assert.Equal($"/api/v1/reports/{id}", created.Headers.Location?.OriginalString);

        var deadline = Stopwatch.StartNew();
        JsonNode status;
        while (true)
        {
            status = await fixture.Client.GetJsonAsync($"/api/v1/reports/{id}");
            var word = status["status"]!.GetValue<string>();
            if (word is "done" or "failed" or "interrupted") break;
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), $"still {word} after 90 s: {status.ToJsonString()}");
            await Task.Delay(100);
        }
        Assert.True(status["status"]!.GetValue<string>() == "done", status.ToJsonString());
        Assert.Equal(1.0, status["progress"]!.GetValue<double>());
        var content = await fixture.Client.GetAsync(job["links"]!["content"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        return (status, content);
    }

    [Fact]
    public async Task A_pdf_report_has_a_title_page_and_a_page_per_host_with_charts_that_render()
    {
        var (_, content) = await ReportAsync("pdf");
        Assert.Equal("application/pdf", content.Content.Headers.ContentType?.MediaType);
        var directory = Directory.CreateTempSubdirectory("perf-report-");
        try
        {
            var pdf = Path.Combine(directory.FullName, "report.pdf");
            await File.WriteAllBytesAsync(pdf, await content.Content.ReadAsByteArrayAsync());

            var info = await RunAsync("pdfinfo", pdf);
            var pages = int.Parse(info.Split('\n').Single(l => l.StartsWith("Pages:", StringComparison.Ordinal))["Pages:".Length..].Trim(), CultureInfo.InvariantCulture);
            Assert.True(pages >= 3, info); // title, then at least a page per host

            await RunAsync("pdftoppm", "-r", "50", "-png", pdf, Path.Combine(directory.FullName, "page"));
            var images = Directory.GetFiles(directory.FullName, "page*.png").Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(pages, images.Length);
            var variances = images.Select(Variance).ToArray();
            Assert.All(variances, v => Assert.True(v > 0, "a blank page"));
            // The host pages carry the charts: far more ink than text alone.
            Assert.True(variances[1] > 500, $"page 2 variance {variances[1]}");
        }
        finally { directory.Delete(recursive: true); }
    }

    [Fact]
    public async Task An_html_report_is_self_contained_with_inline_charts()
    {
        var (_, content) = await ReportAsync("html");
        Assert.Equal("text/html", content.Content.Headers.ContentType?.MediaType);
        var html = await content.Content.ReadAsStringAsync();
        Assert.All(Hosts, h => Assert.Contains($"<h2>{h}</h2>", html));
        Assert.Equal(4, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("src=\"http", html);
    }

    [Fact]
    public async Task A_csv_report_holds_the_buckets_the_series_endpoint_gives()
    {
        var (status, content) = await ReportAsync("csv");
        Assert.Equal("text/csv", content.Content.Headers.ContentType?.MediaType);
        var lines = (await content.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("host,metric,timestamp,value", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.All(rows, r => Assert.Equal(4, r.Length));
        var (start, end, step) = (status["start"]!.GetValue<string>(), status["end"]!.GetValue<string>(), status["step"]!.GetValue<string>());
        foreach (var host in Hosts)
        foreach (var (metric, series) in new[] { ("cpu_usage", "cpu.usage"), ("memory_usage", "memory.usage") })
        {
            var csv = rows.Where(r => r[0] == host && r[1] == metric).ToArray();
            var api = (await fixture.Client.GetJsonAsync(
                $"/api/v1/series/{host}/{series}?start={Uri.EscapeDataString(start)}&end={Uri.EscapeDataString(end)}&step={step}&agg=avg"))["points"]!.AsArray();
            Assert.True(csv.Length >= 200, $"{host} {metric}: {csv.Length} rows");
            Assert.Equal(api.Count, csv.Length);
            for (var i = 0; i < csv.Length; i++)
            {
                Assert.Equal(api[i]!["timestamp"]!.GetValue<string>(), csv[i][2]);
                Assert.Equal(api[i]!["value"]!.GetValue<double>(), double.Parse(csv[i][3], CultureInfo.InvariantCulture), 9);
            }
        }
    }

    [Fact]
    public async Task A_json_report_has_the_summary_and_the_data_of_every_known_host_by_default()
    {
        var (status, content) = await ReportAsync("json", hosts: false);
        Assert.Equal("application/json", content.Content.Headers.ContentType?.MediaType);
        // The engine's own host joins the known hosts at the node's first self-monitoring report, whenever that falls.
        Assert.Equal(Hosts, status["hosts"]!.AsArray().Select(h => h!.GetValue<string>()).Where(h => h != SelfMonitoringSettings.Host));
        var report = JsonNode.Parse(await content.Content.ReadAsStringAsync())!;
        Assert.Equal("performance_summary", report["report_type"]!.GetValue<string>());
        var a = report["hosts"]!.AsArray().Single(h => h!["host"]!.GetValue<string>() == "report-a")!["metrics"]!["cpu_usage"]!;
        var summary = a["summary"]!;
        var values = a["points"]!.AsArray().Select(p => p!["value"]!.GetValue<double>()).ToArray();
        Assert.Equal(values.Average(), summary["avg"]!.GetValue<double>(), 4);
        // Min and max are of the raw points, not of the buckets, whose averages flatten the extremes (here each bucket
        // holds one sample; ReportJobsTests has buckets that differ).
        var raw = (await fixture.Client.GetJsonAsync($"/api/v1/series/report-a/cpu.usage?start={NodeApi.Iso(DateTimeOffset.UtcNow.AddHours(-6))}"))["points"]!
            .AsArray().Select(p => p!["value"]!.GetValue<double>()).ToArray();
        Assert.Equal(raw.Min(), summary["min"]!.GetValue<double>(), 4);
        Assert.Equal(raw.Max(), summary["max"]!.GetValue<double>(), 4);
        Assert.Equal(values[^1], summary["last"]!.GetValue<double>(), 4);
        Assert.InRange(summary["p95"]!.GetValue<double>(), values.Min(), values.Max());
        Assert.Equal("increasing", summary["trend"]!.GetValue<string>());
        Assert.InRange(summary["slope_per_hour"]!.GetValue<double>(), 4, 6);
        Assert.NotNull(a["anomalies"]);
        var host = report["hosts"]!.AsArray().Single(h => h!["host"]!.GetValue<string>() == "report-a")!;
        Assert.NotNull(host["alerts"]!.AsArray());
        Assert.NotNull(host["recommendations"]!.AsArray());
    }

    [Fact]
    public async Task A_capacity_report_says_when_a_rising_metric_reaches_90()
    {
        var (_, content) = await ReportAsync("json", type: "capacity");

        var report = JsonNode.Parse(await content.Content.ReadAsStringAsync())!;
        var cpu = report["hosts"]!.AsArray().Single(h => h!["host"]!.GetValue<string>() == "report-a")!["metrics"]!["cpu_usage"]!["summary"]!;
        // cpu of report-a: about 40 at the end, rising 5 per hour: 90 in about 10 hours.
        Assert.InRange(cpu["hours_to_capacity"]!.GetValue<double>(), 8, 12);
    }

    [Theory]
    [InlineData("""{"report_type": "weekly", "metrics": ["cpu_usage"], "format": "pdf"}""", "report_type")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "format": "docx"}""", "format")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "format": "pdf", "time_range": "forever"}""", "time_range")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "format": "pdf", "time_range": "400d"}""", "time_range")]
    [InlineData("""{"report_type": "trend", "metrics": [], "format": "pdf"}""", "metrics")]
    [InlineData("""{"report_type": "trend", "format": "pdf"}""", "metrics")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu/usage"], "format": "pdf"}""", "metrics[0]")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "hosts": ["bad host!"], "format": "pdf"}""", "hosts[0]")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "format": "pdf", "include_graphs": "yes"}""", "include_graphs")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "format": "pdf", "colour": "red"}""", "colour")]
    [InlineData("""{"report_type": "trend", "metrics": ["cpu_usage"], "hosts": [HOSTS], "format": "pdf"}""", "hosts")]
    public async Task Bad_requests_are_refused_naming_the_field(string body, string field)
    {
        // HOSTS: one more host than a list may hold.
        body = body.Replace("HOSTS", string.Join(", ", Enumerable.Range(0, 101).Select(i => $"\"h{i}\"")));
        using var response = await fixture.Client.PostJsonAsync(body, "/api/v1/performance/reports");
        await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, field);
    }

    [Fact]
    public async Task The_reports_made_earlier_are_listed_newest_first_a_page_at_a_time()
    {
        var (first, firstFile) = await ReportAsync("csv");
        firstFile.Dispose();
        var (second, secondFile) = await ReportAsync("json", hosts: false);
        secondFile.Dispose();

        var page = await fixture.Client.GetJsonAsync("/api/v1/reports?limit=2");
        var ids = page["reports"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToArray();
        Assert.Equal(2, page["count"]!.GetValue<int>());
        Assert.True(page["total"]!.GetValue<int>() >= 2);
        // Other tests of this class make reports too, but none after these two's answer: they are the newest unless one
        // ran in between (the class runs its tests one at a time).
        Assert.Equal([second["id"]!.GetValue<string>(), first["id"]!.GetValue<string>()], ids);
        var listed = page["reports"]![1]!;
        Assert.Equal("done", listed["status"]!.GetValue<string>());
        Assert.Equal("csv", listed["format"]!.GetValue<string>());
        Assert.Equal(first["links"]!["content"]!.GetValue<string>(), listed["links"]!["content"]!.GetValue<string>());

        using var tooMany = await fixture.Client.GetAsync("/api/v1/reports?limit=101");
        await tooMany.ExpectProblemAsync(HttpStatusCode.BadRequest, "limit");
    }

    [Fact]
    public async Task An_unknown_report_is_not_found()
    {
        await fixture.Client.GetJsonAsync("/api/v1/reports/0123456789abcdef", HttpStatusCode.NotFound);
        using var content = await fixture.Client.GetAsync("/api/v1/reports/0123456789abcdef/content");
        await content.ExpectProblemAsync(HttpStatusCode.NotFound, "id");
    }

    /// <summary>Variance of a rendered page's grey levels: 0 for a blank page.</summary>
    private static double Variance(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var grey = bitmap.Pixels.Select(p => 0.299 * p.Red + 0.587 * p.Green + 0.114 * p.Blue).ToArray();
        var mean = grey.Average();
        return grey.Average(g => (g - mean) * (g - mean));
    }

    private static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
