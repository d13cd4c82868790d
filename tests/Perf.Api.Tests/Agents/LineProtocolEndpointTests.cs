using Perf.Actors.Series;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Perf.Api.Agents;
using Perf.Api.Tests.Infrastructure;
using Perf.Protocols.Tests.Conformance;

namespace Perf.Api.Tests.Agents;

/// <summary>InfluxDB line protocol over HTTP (v1 and v2 write APIs, /query), against a real node.</summary>
public sealed class LineProtocolEndpointTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private readonly HttpClient _client = fixture.Client;

    private static long NowSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private Task<HttpResponseMessage> WriteAsync(string body, string path = "/write?db=telegraf&precision=s") =>
        _client.PostAsync(path, new StringContent(body, Encoding.UTF8, "text/plain"));

    private async Task<JsonNode> SeriesAsync(string host, string metric) =>
        await _client.GetJsonAsync($"/api/v1/series/{host}/{Uri.EscapeDataString(metric)}?start={NowSeconds - 3600}&end={NowSeconds + 60}");

    [Fact]
    public async Task Fields_become_series_named_measurement_dot_field_with_the_tags_and_the_host_tag_names_the_host()
    {
        var t = NowSeconds - 5;
        using var response = await WriteAsync($"cpu,host=lp-web-1,cpu=cpu0 usage_idle=97.5,usage_user=2i,busy=true,on=F,msg=\"string fields carry no number\",count=7u {t}\n");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var host = await _client.GetJsonAsync("/api/v1/hosts/lp-web-1");
        Assert.Equal(
            ["cpu.busy{cpu=\"cpu0\"}", "cpu.count{cpu=\"cpu0\"}", "cpu.on{cpu=\"cpu0\"}", "cpu.usage_idle{cpu=\"cpu0\"}", "cpu.usage_user{cpu=\"cpu0\"}"],
            host["series"]!.AsArray().Select(s => s!["metric"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var values = host["series"]!.AsArray().ToDictionary(s => s!["metric"]!.GetValue<string>(), s => s!["value"]!.GetValue<double>());
        Assert.Equal(97.5, values["cpu.usage_idle{cpu=\"cpu0\"}"]);
        Assert.Equal(2, values["cpu.usage_user{cpu=\"cpu0\"}"]);
        Assert.Equal(1, values["cpu.busy{cpu=\"cpu0\"}"]);
        Assert.Equal(0, values["cpu.on{cpu=\"cpu0\"}"]);
        Assert.Equal(7, values["cpu.count{cpu=\"cpu0\"}"]);

        var points = (await SeriesAsync("lp-web-1", "cpu.usage_idle{cpu=\"cpu0\"}"))["points"]!.AsArray();
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), Assert.Single(points)!["timestamp"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tag_value_with_a_slash_is_percent_encoded_so_the_series_stays_addressable()
    {
        using var response = await WriteAsync($"disk,host=lp-disk,path=/var/lib used_percent=41.5 {NowSeconds}\n");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var points = (await SeriesAsync("lp-disk", "disk.used_percent{path=\"%2Fvar%2Flib\"}"))["points"]!.AsArray();
        Assert.Equal(41.5, Assert.Single(points)!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task Bad_lines_are_named_by_number_and_reason_and_the_good_lines_are_stored()
    {
        var t = NowSeconds;
        using var response = await WriteAsync($"mem,host=lp-partial used=1 {t}\nmem,host=lp-partial used=oops {t}\nmem,host=lp-partial free=3 {t}\nmem,host=lp-partial,bad tag=1 {t}\n");

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "line 2");
        Assert.Equal("invalid", problem["code"]!.GetValue<string>());
        Assert.StartsWith("partial write: line 2: ", problem["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(problem["message"]!.GetValue<string>(), problem["error"]!.GetValue<string>());
        Assert.Equal(["line 2", "line 4"], problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()));
        Assert.Contains("used", problem["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, problem["accepted"]!.GetValue<int>());
        Assert.Equal(2, problem["dropped_lines"]!.GetValue<int>());

        var host = await _client.GetJsonAsync("/api/v1/hosts/lp-partial");
        Assert.Equal(["mem.free", "mem.used"], host["series"]!.AsArray().Select(s => s!["metric"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_line_older_than_the_retention_period_is_refused_by_line()
    {
        using var response = await WriteAsync($"cpu,host=lp-old usage=1 {NowSeconds}\ncpu,host=lp-old usage=2 1000000000\n");

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "line 2");
        Assert.Contains("retention", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_v2_api_takes_gzip_and_its_precision()
    {
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        var raw = Encoding.UTF8.GetBytes($"net,host=lp-v2 bytes_recv=123456i {ms}\n");
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw);
        using var content = new ByteArrayContent(gzipped.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        content.Headers.ContentEncoding.Add("gzip");
        using var client = fixture.Node.ClientWithKey(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Token " + PerfNodeProcess.AdminKey);

        using var response = await client.PostAsync("/api/v2/write?org=perf&bucket=agents&precision=ms", content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var point = Assert.Single((await SeriesAsync("lp-v2", "net.bytes_recv"))["points"]!.AsArray())!;
        Assert.Equal(123456, point["value"]!.GetValue<double>());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime, point["timestamp"]!.GetValue<DateTime>().ToUniversalTime());
    }

    [Fact]
    public async Task Broken_gzip_and_an_unknown_precision_are_refused_naming_what_is_wrong()
    {
        using var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]);
        content.Headers.ContentEncoding.Add("gzip");
        await (await _client.PostAsync("/write", content)).ExpectProblemAsync(HttpStatusCode.BadRequest, "body");
        await (await WriteAsync("cpu usage=1", "/write?precision=fortnights")).ExpectProblemAsync(HttpStatusCode.BadRequest, "precision");
    }

    [Fact]
    public async Task Telegrafs_create_database_is_answered_and_other_queries_are_refused()
    {
        using var created = await _client.PostAsync("/query", new FormUrlEncodedContent([new("q", "CREATE DATABASE \"telegraf\"")]));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(0, (await created.ReadJsonAsync())["results"]![0]!["statement_id"]!.GetValue<int>());

        await (await _client.GetAsync("/query?q=SELECT+*+FROM+cpu")).ExpectProblemAsync(HttpStatusCode.BadRequest, "q");
    }

    /// <summary>
    /// The conformance corpus over HTTP: every error case is refused with 400; every result case is answered 204 when
    /// Perf may store its points (within the retention period and the future skew, series names of at most 1,024
    /// characters) and 400 naming a line otherwise. Lines without a timestamp take the node's time.
    /// </summary>
    [Fact]
    public async Task The_conformance_corpus_gets_204_or_400_as_its_cases_decode()
    {
        var wrong = new List<string>();
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var gate = new SemaphoreSlim(8);
        var tasks = LineProtocolCorpus.Cases.Select(async c =>
        {
            var expected = Expected(c, nowMs);
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                using var content = new ByteArrayContent(c.Input);
                using var response = await _client.PostAsync($"/write?db=corpus&precision={Uri.EscapeDataString(c.Precision)}", content);
                var body = await response.Content.ReadAsStringAsync();
                string? problem = null;
                if (response.StatusCode != expected) problem = $"{c.Key}: {(int)response.StatusCode} instead of {(int)expected}: {body}";
                else if (expected == HttpStatusCode.BadRequest && JsonNode.Parse(body)?["field"]?.GetValue<string>() is not { Length: > 0 })
                    problem = $"{c.Key}: 400 without a field: {body}";
                if (problem is not null)
                    lock (wrong) wrong.Add(problem);
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        await Task.WhenAll(tasks);

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {LineProtocolCorpus.Cases.Count} cases answered wrongly:\n" + string.Join("\n", wrong.Take(40)));
    }

    private static HttpStatusCode Expected(LineProtocolCorpus.Case c, long nowMs)
    {
        if (c.ExpectsError) return HttpStatusCode.BadRequest;
        Assert.True(Protocols.LineProtocol.TimePrecision.TryParse(c.Precision, out var unit));
        var defaultTime = c.DefaultTime / unit * unit;
        foreach (var point in c.Points!)
        {
            var ms = point.Time == defaultTime ? nowMs : (long)Math.Floor(point.Time / 1e6);
            if (ms < nowMs - (long)TimeSpan.FromDays(29).TotalMilliseconds || ms > nowMs + (long)TimeSpan.FromMinutes(4).TotalMilliseconds)
                return HttpStatusCode.BadRequest;
            var labels = point.Tags.Where(t => t.Key != "host").ToArray();
            if (point.Fields.Any(f => f.Kind != "string" && SeriesName.Labelled(point.Name + "." + f.Key, labels).Length > SeriesName.MaxLength))
                return HttpStatusCode.BadRequest;
        }
        return HttpStatusCode.NoContent;
    }
}
