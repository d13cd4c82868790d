using System.Net;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>A key limited to some hosts neither writes nor reads any other host's series.</summary>
public sealed class HostScopeTests(SecuredNode fixture) : IClassFixture<SecuredNode>
{
    private static string Cpu(string host, double value) => NodeApi.Serialize(new
    {
        host,
        timestamp = NodeApi.Iso(NodeApi.RecentSecond()),
        metrics = new { cpu = new { usage = value } },
    });

    [Fact]
    public async Task An_ingest_key_for_some_hosts_writes_only_those_and_a_refused_request_stores_nothing()
    {
        var agent = await Keys.CreateAsync(fixture.Client, "ingest", ["scope-web-*"]);
        using var client = fixture.Node.ClientWithKey(agent.Token);

        await (await client.PostJsonAsync(Cpu("scope-web-1", 41))).ExpectAcceptedAsync();
        using var refused = await client.PostJsonAsync(Cpu("scope-db-1", 42));
        await refused.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
        // A batch with one host outside the scope is refused whole.
        using var mixed = await client.PostJsonAsync($"[{Cpu("scope-web-2", 43)},{Cpu("scope-db-2", 44)}]");
        await mixed.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");

        var hosts = (await fixture.Client.GetJsonAsync("/api/v1/hosts"))["hosts"]!.AsArray().Select(h => h!.GetValue<string>()).ToArray();
        Assert.Contains("scope-web-1", hosts);
        Assert.DoesNotContain("scope-db-1", hosts);
        Assert.DoesNotContain("scope-web-2", hosts);
        Assert.DoesNotContain("scope-db-2", hosts);
    }

    [Fact]
    public async Task An_admin_key_cannot_be_narrowed_to_some_hosts()
    {
        // Key management and backups reach every host: a "web-*" admin could otherwise mint itself an unscoped key.
        using var refused = await fixture.Client.PostJsonAsync("""{"name":"scoped admin","role":"admin","hosts":["web-*"]}""", "/api/v1/admin/keys");
        await refused.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "hosts");
    }

    [Fact]
    public async Task A_read_key_for_some_hosts_sees_only_those()
    {
        foreach (var host in new[] { "seen-web-1", "hidden-db-1" }) await (await fixture.Client.PostJsonAsync(Cpu(host, 10))).ExpectAcceptedAsync();
        var reader = await Keys.CreateAsync(fixture.Client, "analyst", ["seen-*"]);
        using var client = fixture.Node.ClientWithKey(reader.Token);

        var hosts = (await client.GetJsonAsync("/api/v1/hosts"))["hosts"]!.AsArray().Select(h => h!.GetValue<string>()).ToArray();
        Assert.Contains("seen-web-1", hosts);
        Assert.All(hosts, h => Assert.StartsWith("seen-", h));
        await client.GetJsonAsync("/api/v1/series/seen-web-1/cpu.usage");

        foreach (var path in new[]
                 {
                     "/api/v1/series/hidden-db-1/cpu.usage", "/api/v1/series/hidden-db-1/cpu.usage/state", "/api/v1/hosts/hidden-db-1",
                     "/api/v1/performance/metrics?host=hidden-db-1", "/api/v1/alerts?host=hidden-db-1",
                     "/api/v1/performance/metrics", "/api/v1/performance/metrics?metric_type=cpu", // no host: host "default"
                 })
        {
            using var response = await client.GetAsync(path);
            await response.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
        }
        using var analyze = await client.PostJsonAsync("""{"analysis_type":"trend","metrics":["cpu_usage"],"host":"hidden-db-1"}""", "/api/v1/performance/analyze");
        await analyze.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
        using var report = await client.PostJsonAsync("""{"report_type":"performance_summary","metrics":["cpu_usage"],"hosts":["hidden-db-1"],"format":"json"}""", "/api/v1/performance/reports");
        await report.ExpectProblemAsync(HttpStatusCode.Forbidden, "hosts");
    }
}
