using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>Every kind of bad input gets a 4xx problem naming the field, and nothing of the request is stored.</summary>
public sealed class BadInputTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private readonly HttpClient _client = fixture.Client;

    public static TheoryData<string, string, string> BadBodies()
    {
        var now = NodeApi.Iso(NodeApi.RecentSecond());
        var future = NodeApi.Iso(DateTimeOffset.UtcNow.AddHours(2));
        var ancient = NodeApi.Iso(DateTimeOffset.UtcNow.AddDays(-400));
        // case name, body (HOST is replaced by a host unique to the case), field the problem must name
        return new TheoryData<string, string, string>
        {
            { "malformed JSON", """{"host": "HOST", "metrics": {"cpu": {"usage": 1}""", "body" },
            { "NaN literal", """{"host": "HOST", "metrics": {"cpu": {"usage": NaN}}}""", "body" },
            { "Infinity literal", """{"host": "HOST", "metrics": {"cpu": {"usage": Infinity}}}""", "body" },
            { "number beyond double", """{"host": "HOST", "metrics": {"cpu": {"usage": 1e400}}}""", "metrics.cpu.usage" },
            { "string value", """{"host": "HOST", "metrics": {"cpu": {"usage": "45.2"}}}""", "metrics.cpu.usage" },
            { "boolean value", """{"host": "HOST", "metrics": {"cpu": {"usage": true}}}""", "metrics.cpu.usage" },
            { "null value", """{"host": "HOST", "metrics": {"cpu": {"usage": null}}}""", "metrics.cpu.usage" },
            { "group that is a number", """{"host": "HOST", "metrics": {"cpu": 45}}""", "metrics.cpu" },
            { "metrics not an object", """{"host": "HOST", "metrics": [1, 2]}""", "metrics" },
            { "metrics missing", """{"host": "HOST", "timestamp": "NOW"}""".Replace("NOW", now), "metrics" },
            { "no numeric values", """{"host": "HOST", "metrics": {"cpu": {}}}""", "metrics" },
            { "unparseable timestamp", """{"host": "HOST", "timestamp": "20th of March", "metrics": {"cpu": {"usage": 1}}}""", "timestamp" },
            { "timestamp without zone", """{"host": "HOST", "timestamp": "2024-03-20T10:00:00", "metrics": {"cpu": {"usage": 1}}}""", "timestamp" },
            { "timestamp of wrong type", """{"host": "HOST", "timestamp": true, "metrics": {"cpu": {"usage": 1}}}""", "timestamp" },
            { "timestamp in the future", """{"host": "HOST", "timestamp": "FUTURE", "metrics": {"cpu": {"usage": 1}}}""".Replace("FUTURE", future), "timestamp" },
            { "timestamp past retention", """{"host": "HOST", "timestamp": "OLD", "metrics": {"cpu": {"usage": 1}}}""".Replace("OLD", ancient), "timestamp" },
            { "host not a string", """{"host": 42, "metrics": {"cpu": {"usage": 1}}}""", "host" },
            { "host with a slash", """{"host": "HOST/x", "metrics": {"cpu": {"usage": 1}}}""", "host" },
            { "bad metric name", """{"host": "HOST", "metrics": {"cpu": {"us age": 1}}}""", "metrics.cpu.us age" },
            { "labels not strings", """{"host": "HOST", "labels": {"env": 1}, "metrics": {"cpu": {"usage": 1}}}""", "labels.env" },
            { "unknown field", """{"host": "HOST", "metricz": {}, "metrics": {"cpu": {"usage": 1}}}""", "metricz" },
            { "scalar body", "42", "body" },
            { "empty array", "[]", "body" },
            { "bad item in a batch", """[{"host": "HOST", "metrics": {"cpu": {"usage": 1}}}, {"host": "HOST", "metrics": {"cpu": {"usage": "x"}}}]""", "[1].metrics.cpu.usage" },
            { "array item not an object", """[{"host": "HOST", "metrics": {"cpu": {"usage": 1}}}, 7]""", "[1]" },
            { "unpaired surrogate escape", """{"host": "HOST", "labels": {"env": "\ud800"}, "metrics": {"cpu": {"usage": 1}}}""", "body" },
            { "low surrogate escape first", """{"host": "HOST", "labels": {"env": "\udc00\ud800"}, "metrics": {"cpu": {"usage": 1}}}""", "body" },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_get_400_naming_the_field_and_store_nothing(string name, string body, string field)
    {
        var host = "bad-" + string.Concat(name.Where(char.IsLetterOrDigit));
        var response = await _client.PostJsonAsync(body.Replace("HOST", host));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest, field);
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
        await (await _client.GetAsync($"/api/v1/hosts/{host}")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    [Fact]
    public async Task An_empty_body_gets_400()
    {
        var response = await _client.PostAsync(NodeApi.MetricsPath, new StringContent("", Encoding.UTF8, "application/json"));
        await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "body");
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var response = await _client.PostAsync(NodeApi.MetricsPath, new StringContent("cpu usage=1", Encoding.UTF8, "text/plain"));
        await response.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Theory]
    [InlineData(NodeApi.MetricsPath, """{"host": "utf8-bad", "metrics": {"cpu": {"usage": 1}}, "labels": {"env": "X"}}""")]
    [InlineData("/api/v1/performance/analyze", """{"host": "utf8-bad", "metrics": ["cpuX"]}""")]
    public async Task Invalid_utf8_gets_400_naming_the_body_and_stores_nothing(string path, string template)
    {
        // X becomes the byte 0xFF, which no UTF-8 text contains.
        var bytes = Encoding.UTF8.GetBytes(template).Select(b => b == (byte)'X' ? (byte)0xFF : b).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var problem = await (await _client.PostAsync(path, content)).ExpectProblemAsync(HttpStatusCode.BadRequest, "body");

        Assert.Contains("UTF-8", problem["detail"]!.GetValue<string>());
        await (await _client.GetAsync("/api/v1/hosts/utf8-bad")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    [Fact]
    public async Task An_escaped_surrogate_pair_is_text_like_any_other()
    {
        var body = $$"""{"host": "utf8-pair", "timestamp": "{{NodeApi.Iso(NodeApi.RecentSecond())}}", "labels": {"mood": "\ud83d\ude00"}, "metrics": {"cpu": {"usage": 1} } }""";
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostJsonAsync(body)).StatusCode);
    }

    [Fact]
    public async Task A_bad_sample_rejects_the_good_samples_of_the_same_request()
    {
        var now = NodeApi.Iso(NodeApi.RecentSecond());
        var body = $$"""[{"host": "mixed-good", "timestamp": "{{now}}", "metrics": {"cpu": {"usage": 1} } }, {"host": "mixed-bad", "timestamp": "{{now}}", "metrics": {"cpu": {"usage": "x"} } }]""";
        await (await _client.PostJsonAsync(body)).ExpectProblemAsync(HttpStatusCode.BadRequest, "[1].metrics.cpu.usage");
        await (await _client.GetAsync("/api/v1/hosts/mixed-good")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }
}
