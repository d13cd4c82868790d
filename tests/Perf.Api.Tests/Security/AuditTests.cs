using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>Every change is in the audit trail with the key that made it, refused ones too; reads are not, except report downloads.</summary>
public sealed class AuditTests(SecuredNode fixture) : IClassFixture<SecuredNode>
{
    [Fact]
    public async Task Each_change_is_on_record_with_the_acting_keys_id()
    {
        var operatorKey = await Keys.CreateAsync(fixture.Client, "operator");
        var before = (await fixture.Client.GetJsonAsync("/api/v1/admin/audit?limit=10000"))["next"]!.GetValue<long>();
        using var client = fixture.Node.ClientWithKey(operatorKey.Token);

        using (var rule = await client.PostJsonAsync("""{"id":"audit-rule","kind":"threshold","metric":"cpu.usage","warning":90}""", "/api/v1/alert-rules"))
            Assert.True(rule.IsSuccessStatusCode, await rule.Content.ReadAsStringAsync());
        using (var silence = await client.PostJsonAsync("""{"matchers":{"host":"audit-host"},"duration":"1h","comment":"maintenance"}""", "/api/v1/silences"))
            Assert.Equal(HttpStatusCode.Created, silence.StatusCode);
        using (var removed = await client.DeleteAsync("/api/v1/alert-rules/audit-rule")) Assert.True(removed.IsSuccessStatusCode);
        using (var refused = await client.PostJsonAsync("""{"matchers":{},"comment":""}""", "/api/v1/silences"))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        await client.GetJsonAsync("/api/v1/silences"); // a read: not a change
        var revoked = await Keys.CreateAsync(fixture.Client, "read");
        await Keys.RevokeAsync(fixture.Client, revoked.Id);

        var entries = (await fixture.Client.GetJsonAsync($"/api/v1/admin/audit?after={before}"))["entries"]!.AsArray().Select(e => e!).ToArray();
        string[] Actions(string actor) => [.. entries.Where(e => e["actor"]!.GetValue<string>() == actor).Select(e => $"{e["action"]} {e["status"]}")];

        Assert.Equal(
            [
                "POST /api/v1/alert-rules 201",
                "POST /api/v1/silences 201",
                "DELETE /api/v1/alert-rules/{id} 204",
                "POST /api/v1/silences 422",
            ],
            Actions(operatorKey.Id));
        Assert.Equal(["POST /api/v1/admin/keys 201", "DELETE /api/v1/admin/keys/{id} 200"], Actions("admin-key"));
        var entry = entries.First(e => e["actor"]!.GetValue<string>() == operatorKey.Id);
        Assert.Equal("operator", entry["role"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", entry["remote_address"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(entry["time"]!.GetValue<string>()) > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal($"/api/v1/admin/keys/{revoked.Id}", entries.Last()["target"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refusals_made_before_the_endpoint_are_on_record_too()
    {
        var readKey = await Keys.CreateAsync(fixture.Client, "read");
        var before = (await fixture.Client.GetJsonAsync("/api/v1/admin/audit?limit=10000"))["next"]!.GetValue<long>();
        using var reader = fixture.Node.ClientWithKey(readKey.Token);
        using var stranger = fixture.Node.ClientWithKey("not-a-key-0123456789abcdef");
        const string Rule = """{"id":"refused-rule","kind":"threshold","metric":"cpu.usage","warning":90}""";

        using (var forbidden = await reader.PostJsonAsync(Rule, "/api/v1/alert-rules")) Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using (var unknown = await stranger.PostJsonAsync(Rule, "/api/v1/alert-rules")) Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        // As a client that sends a large body should: it waits for "100 Continue", so the early 413 does not cut it off.
        using var huge = new HttpRequestMessage(HttpMethod.Post, "/api/v1/silences")
        {
            Content = new StringContent("{\"comment\":\"" + new string('x', 100 * 1024) + "\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        huge.Headers.ExpectContinue = true;
        using (var tooLarge = await fixture.Client.SendAsync(huge)) Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        var entries = (await fixture.Client.GetJsonAsync($"/api/v1/admin/audit?after={before}"))["entries"]!.AsArray().Select(e => e!).ToArray();
        Assert.Equal(
            [
                $"{readKey.Id} read POST /api/v1/alert-rules 403",
                "anonymous  POST /api/v1/alert-rules 401",
                "admin-key admin POST /api/v1/silences 413",
            ],
            entries.Select(e => $"{e["actor"]} {e["role"]} {e["action"]} {e["status"]}"));
        Assert.All(entries, e => Assert.Equal("127.0.0.1", e["remote_address"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_audit_trail_reads_in_pages()
    {
        for (var i = 0; i < 3; i++) await Keys.CreateAsync(fixture.Client, "read");

        var first = await fixture.Client.GetJsonAsync("/api/v1/admin/audit?limit=2");
        var next = first["next"]!.GetValue<long>();
        var second = await fixture.Client.GetJsonAsync($"/api/v1/admin/audit?after={next}&limit=2");

        Assert.Equal(2, first["entries"]!.AsArray().Count);
        Assert.All(second["entries"]!.AsArray(), e => Assert.True(e!["offset"]!.GetValue<long>() > next));
        Assert.NotEmpty(second["entries"]!.AsArray());
        using var bad = await fixture.Client.GetAsync("/api/v1/admin/audit?limit=0");
        await bad.ExpectProblemAsync(HttpStatusCode.BadRequest, "limit");
    }
}
