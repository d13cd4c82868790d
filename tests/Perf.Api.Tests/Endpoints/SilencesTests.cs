using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>Silences and acknowledgements through the API.</summary>
public sealed class SilencesTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private static readonly DateTimeOffset Start = NodeApi.RecentSecond(20);

    private async Task BreachAsync(string host)
    {
        // cpu_usage: critical at 90 for 1m of sample time.
        foreach (var s in new[] { 0, 30, 60 })
        {
            var body = $$"""{"host": "{{host}}", "timestamp": "{{NodeApi.Iso(Start.AddSeconds(s))}}", "metrics": {"cpu": {"usage": 97} } }""";
            await (await fixture.Client.PostJsonAsync(body)).ExpectAcceptedAsync();
        }
    }

    private async Task<System.Text.Json.Nodes.JsonNode> AlertOfAsync(string host, string state)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var answer = await fixture.Client.GetJsonAsync($"/api/v1/alerts?host={host}&state={state}");
            if (answer["count"]!.GetValue<int>() == 1) return answer["alerts"]![0]!;
            await Task.Delay(100, cts.Token);
        }
    }

    [Fact]
    public async Task A_silence_shows_matching_alerts_as_silenced_until_it_is_expired()
    {
        var silence = """{"matchers": {"host": "silenced-*", "metric": "cpu.*"}, "duration": "1h", "comment": "maintenance", "created_by": "ops"}""";
        using var created = await fixture.Client.PostJsonAsync(silence, "/api/v1/silences");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync())["id"]!.GetValue<string>();
        Assert.Equal("active", (await fixture.Client.GetJsonAsync($"/api/v1/silences/{id}"))["state"]!.GetValue<string>());

        await BreachAsync("silenced-host");
        var alert = await AlertOfAsync("silenced-host", "silenced");
        Assert.Equal(id, alert["silenced_by"]![0]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.DeleteAsync($"/api/v1/silences/{id}")).StatusCode);
        await AlertOfAsync("silenced-host", "firing");
        Assert.Equal("expired", (await fixture.Client.GetJsonAsync($"/api/v1/silences/{id}"))["state"]!.GetValue<string>());
        Assert.Contains((await fixture.Client.GetJsonAsync("/api/v1/silences?state=expired"))["silences"]!.AsArray(), s => s!["id"]!.GetValue<string>() == id);
        await (await fixture.Client.DeleteAsync("/api/v1/silences/nope")).ExpectProblemAsync(HttpStatusCode.NotFound, "id");
    }

    [Theory]
    [InlineData("""{"matchers": {"host": "a"}, "duration": "1h"}""", "comment")]
    [InlineData("""{"matchers": {"host": "a"}, "comment": "x"}""", "ends_at")]
    [InlineData("""{"matchers": {"host": "a"}, "duration": "forever", "comment": "x"}""", "duration")]
    [InlineData("""{"matchers": {"host": "a"}, "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z", "comment": "x"}""", "ends_at")]
    [InlineData("""{"matchers": {"host": "*"}, "duration": "1h", "comment": "x"}""", "matchers")]
    [InlineData("""{"matchers": {"host": 5}, "duration": "1h", "comment": "x"}""", "matchers.host")]
    [InlineData("""{"matchers": {"host": "a"}, "ends_at": "tomorrow", "comment": "x"}""", "ends_at")]
    [InlineData("""{"matchers": {"host": "a"}, "duration": "500000w", "comment": "x"}""", "duration")]
    [InlineData("""{"matchers": {"host": "a"}, "ends_at": "9000-01-01T00:00:00Z", "comment": "x"}""", "ends_at")]
    [InlineData("""{"matchers": [], "duration": "1h", "comment": "x"}""", "matchers")]
    [InlineData("""{"matchers": "web-1", "duration": "1h", "comment": "x"}""", "matchers")]
    public async Task An_invalid_silence_is_refused_naming_the_field(string body, string field)
    {
        using var response = await fixture.Client.PostJsonAsync(body, "/api/v1/silences");
        await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, field);
    }

    [Fact]
    public async Task A_silence_must_be_json()
    {
        using var response = await fixture.Client.PostAsync("/api/v1/silences", new StringContent("comment=x", Encoding.UTF8, "text/plain"));
        await response.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task An_acknowledged_alert_shows_who_acknowledged_it_and_unknown_alerts_are_not_found()
    {
        await BreachAsync("ack-host");
        var alert = await AlertOfAsync("ack-host", "firing");
        var id = alert["id"]!.GetValue<string>();

        using var ack = await fixture.Client.PostJsonAsync("""{"by": "alice", "comment": "on it"}""", $"/api/v1/alerts/{id}/ack");
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        var acknowledged = (await AlertOfAsync("ack-host", "firing"))["acknowledged"]!;
        Assert.Equal(("alice", "on it"), (acknowledged["by"]!.GetValue<string>(), acknowledged["comment"]!.GetValue<string>()));
        using var unknown = await fixture.Client.PostAsync("/api/v1/alerts/cpu_usage-1-0000000000000000/ack", null);
        await unknown.ExpectProblemAsync(HttpStatusCode.NotFound, "id");
    }
}
