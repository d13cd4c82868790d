using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>
/// Every endpoint of the running node, taken from its own endpoint table (not a hand list), against every kind of
/// caller: no key and a revoked key get 401, each role that must not reach an endpoint gets 403, and each role that
/// must reaches it.
/// </summary>
public sealed class EndpointAccessTests(SecuredNode fixture) : IClassFixture<SecuredNode>
{
    /// <summary>Which areas each role reaches: the product's access table, written out independently of the server's.</summary>
    private static readonly Dictionary<string, string[]> Reaches = new()
    {
        ["ingest"] = ["ingest"],
        ["read"] = ["read"],
        ["analyst"] = ["read", "analyze"],
        ["operator"] = ["read", "analyze", "operate"],
        ["admin"] = ["ingest", "read", "analyze", "operate", "admin"],
    };

    private sealed record Endpoint(string Method, string Route, string Area);

    private async Task<Endpoint[]> EndpointsAsync()
    {
        var table = await fixture.Client.GetJsonAsync("/api/v1/admin/endpoints");
        var endpoints = table["endpoints"]!.AsArray()
            .Select(e => new Endpoint(e!["method"]!.GetValue<string>(), e["route"]!.GetValue<string>(), e["area"]!.GetValue<string>()))
            .ToArray();
        Assert.True(endpoints.Length >= 35, $"only {endpoints.Length} endpoints listed");
        Assert.Contains(endpoints, e => e is { Method: "POST", Route: "/api/v1/performance/metrics", Area: "ingest" });
        Assert.Contains(endpoints, e => e is { Method: "GET", Route: "/health/ready", Area: "public" });
        return endpoints;
    }

    [Fact]
    public async Task Every_endpoint_has_an_area_or_is_one_of_the_public_health_probes()
    {
        var endpoints = await EndpointsAsync();

        Assert.All(endpoints, e => Assert.Contains(e.Area, (string[])["ingest", "read", "analyze", "operate", "admin", "public"]));
        Assert.Equal(["/health/live", "/health/ready"], endpoints.Where(e => e.Area == "public").Select(e => e.Route).Order().ToArray());
    }

    [Fact]
    public async Task Every_non_public_endpoint_refuses_a_missing_and_a_revoked_key_with_401()
    {
        var endpoints = (await EndpointsAsync()).Where(e => e.Area != "public").ToArray();
        var revoked = await Keys.CreateAsync(fixture.Client, "admin");
        await Keys.RevokeAsync(fixture.Client, revoked.Id);
        using var anonymous = fixture.Node.ClientWithKey(null);
        using var withRevoked = fixture.Node.ClientWithKey(revoked.Token);
        using var withGarbage = fixture.Node.ClientWithKey("perf_000000000000_not-a-key");

        var wrong = new List<string>();
        foreach (var endpoint in endpoints)
            foreach (var (who, client) in new[] { ("no key", anonymous), ("revoked key", withRevoked), ("unknown key", withGarbage) })
            {
                var status = await SendAsync(client, endpoint);
                if (status != HttpStatusCode.Unauthorized) wrong.Add($"{endpoint.Method} {endpoint.Route} with {who}: {(int)status}");
            }

        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("read")]
    [InlineData("analyst")]
    [InlineData("operator")]
    [InlineData("admin")]
    public async Task Each_role_reaches_exactly_the_endpoints_of_its_areas(string role)
    {
        var endpoints = (await EndpointsAsync()).Where(e => e.Area != "public").ToArray();
        var key = await Keys.CreateAsync(fixture.Client, role);
        using var client = fixture.Node.ClientWithKey(key.Token);

        var wrong = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var status = await SendAsync(client, endpoint);
            var mayReach = Reaches[role].Contains(endpoint.Area);
            if (mayReach && status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                wrong.Add($"{endpoint.Method} {endpoint.Route} ({endpoint.Area}) refused {role} with {(int)status}");
            if (!mayReach && status != HttpStatusCode.Forbidden)
                wrong.Add($"{endpoint.Method} {endpoint.Route} ({endpoint.Area}) answered {role} with {(int)status}, not 403");
        }

        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("read", "GET", "/api/v1/hosts", true)]
    [InlineData("read", "POST", "/api/v1/performance/analyze", false)]
    [InlineData("analyst", "POST", "/api/v1/performance/analyze", true)]
    [InlineData("operator", "GET", "/api/v1/admin/keys", false)]
    [InlineData("admin", "GET", "/api/v1/admin/audit", true)]
    public async Task A_JWT_with_a_role_claim_is_a_caller_of_that_role(string role, string method, string route, bool reaches)
    {
        var token = TestTokens.Hs256(SecuredNode.JwtSecret, TestTokens.Claims("alice", role, SecuredNode.JwtIssuer, SecuredNode.JwtAudience));
        using var client = fixture.Node.ClientWithKey(token);

        var status = await SendAsync(client, new Endpoint(method, route, "?"));

        if (reaches) Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{(int)status}");
        else Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "wrong signature", TestTokens.Hs256("another-secret-of-at-least-32-characters", TestTokens.Claims("eve", "admin", SecuredNode.JwtIssuer, SecuredNode.JwtAudience)) },
        { "wrong issuer", TestTokens.Hs256(SecuredNode.JwtSecret, TestTokens.Claims("eve", "admin", "https://elsewhere", SecuredNode.JwtAudience)) },
        { "wrong audience", TestTokens.Hs256(SecuredNode.JwtSecret, TestTokens.Claims("eve", "admin", SecuredNode.JwtIssuer, "other-api")) },
        { "expired", TestTokens.Hs256(SecuredNode.JwtSecret, TestTokens.Claims("eve", "admin", SecuredNode.JwtIssuer, SecuredNode.JwtAudience, TimeSpan.FromHours(-1))) },
        { "no Perf role", TestTokens.Hs256(SecuredNode.JwtSecret, TestTokens.Claims("eve", "superuser", SecuredNode.JwtIssuer, SecuredNode.JwtAudience)) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_JWT_that_does_not_check_out_gets_401(string why, string token)
    {
        using var client = fixture.Node.ClientWithKey(token);

        using var response = await client.GetAsync("/api/v1/hosts");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized, "Authorization");
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Theory]
    [InlineData("X-Api-Key", "{0}")]
    [InlineData("Authorization", "Bearer {0}")]
    [InlineData("Authorization", "Token {0}")] // InfluxDB clients and Telegraf
    [InlineData("Authorization", "Basic {1}")] // Prometheus remote_write and most agents: the key as the password
    public async Task A_key_is_accepted_wherever_agents_send_it(string header, string format)
    {
        var key = await Keys.CreateAsync(fixture.Client, "read");
        using var client = fixture.Node.ClientWithKey(null);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("agent:" + key.Token));
        client.DefaultRequestHeaders.TryAddWithoutValidation(header, string.Format(format, key.Token, basic));

        using var response = await client.GetAsync("/api/v1/hosts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>One request to the endpoint with placeholder route values and an empty JSON object as body; the status.
    /// A stream that opens (SSE) is closed as soon as its headers arrive.</summary>
    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Endpoint endpoint)
    {
        var path = endpoint.Route.Replace("{host}", "access-host").Replace("{metric}", "cpu.usage").Replace("{id}", "no-such-id");
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path);
        if (endpoint.Method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }
}
