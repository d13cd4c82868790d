using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>Creating and revoking keys through the admin API, as an administrator does.</summary>
public static class Keys
{
    public sealed record Created(string Id, string Token);

    public static async Task<Created> CreateAsync(HttpClient admin, string role, string[]? hosts = null, (int PerSecond, int Burst)? rateLimit = null)
    {
        var body = new JsonObject { ["name"] = $"{role} key for a test", ["role"] = role };
        if (hosts is not null) body["hosts"] = new JsonArray([.. hosts.Select(h => (JsonNode)h)]);
        if (rateLimit is { } limit) body["rate_limit"] = new JsonObject { ["requests_per_second"] = limit.PerSecond, ["burst"] = limit.Burst };
        using var response = await admin.PostJsonAsync(body.ToJsonString(), "/api/v1/admin/keys");
        var created = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, created.ToJsonString());
        return new Created(created["details"]!["id"]!.GetValue<string>(), created["key"]!.GetValue<string>());
    }

    public static async Task RevokeAsync(HttpClient admin, string id)
    {
        using var response = await admin.DeleteAsync($"/api/v1/admin/keys/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
