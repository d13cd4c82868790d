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
    public async Task A_host_scoped_operator_silences_and_alerts_only_within_its_hosts()
    {
        var op = await Keys.CreateAsync(fixture.Client, "operator", ["scope-op-*"]);
        using var client = fixture.Node.ClientWithKey(op.Token);
        static string Silence(string matchers) => $$"""{"matchers":{{matchers}},"duration":"1h","comment":"maintenance"}""";

        // Beyond its hosts: another host's pattern, or every host (no host matcher).
        using (var wider = await client.PostJsonAsync(Silence("""{"host":"db-*"}"""), "/api/v1/silences"))
            await wider.ExpectProblemAsync(HttpStatusCode.Forbidden, "matchers.host");
        using (var everyHost = await client.PostJsonAsync(Silence("""{"metric":"cpu.usage"}"""), "/api/v1/silences"))
            await everyHost.ExpectProblemAsync(HttpStatusCode.Forbidden, "matchers.host");
        using (var own = await client.PostJsonAsync(Silence("""{"host":"scope-op-1"}"""), "/api/v1/silences"))
            Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        using (var ownPattern = await client.PostJsonAsync(Silence("""{"host":"scope-op-*"}"""), "/api/v1/silences"))
            Assert.Equal(HttpStatusCode.Created, ownPattern.StatusCode);

        // Someone else's silence of other hosts: not listed, and not the scoped key's to end.
        var others = await (await fixture.Client.PostJsonAsync(Silence("""{"host":"scope-db-1"}"""), "/api/v1/silences")).ReadJsonAsync();
        var othersId = others["id"]!.GetValue<string>();
        var listed = (await client.GetJsonAsync("/api/v1/silences"))["silences"]!.AsArray().Select(s => s!["matchers"]!["host"]!.GetValue<string>()).ToArray();
        Assert.NotEmpty(listed);
        Assert.All(listed, h => Assert.StartsWith("scope-op-", h));
        using (var end = await client.DeleteAsync($"/api/v1/silences/{othersId}")) await end.ExpectProblemAsync(HttpStatusCode.Forbidden, "id");
        Assert.Equal("active", (await fixture.Client.GetJsonAsync($"/api/v1/silences/{othersId}"))["state"]!.GetValue<string>());

        // Rules: the engine-wide default rule (host "*") is not the scoped key's to change; a rule on its own host is.
        using (var delete = await client.DeleteAsync("/api/v1/alert-rules/cpu_usage")) await delete.ExpectProblemAsync(HttpStatusCode.Forbidden, "id");
        using (var narrowed = await client.PutAsync("/api/v1/alert-rules/cpu_usage", new StringContent(
                   """{"kind":"threshold","metric":"cpu.usage","warning":99,"host":"scope-op-1"}""", System.Text.Encoding.UTF8, "application/json")))
            await narrowed.ExpectProblemAsync(HttpStatusCode.Forbidden, "id");
        using (var global = await client.PostJsonAsync("""{"id":"scope-rule-all","kind":"threshold","metric":"cpu.usage","warning":80}""", "/api/v1/alert-rules"))
            await global.ExpectProblemAsync(HttpStatusCode.Forbidden, "host");
        using (var mine = await client.PostJsonAsync("""{"id":"scope-rule-own","kind":"threshold","metric":"cpu.usage","warning":80,"host":"scope-op-1"}""", "/api/v1/alert-rules"))
            Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Contains((await fixture.Client.GetJsonAsync("/api/v1/alert-rules"))["rules"]!.AsArray(), r => r!["id"]!.GetValue<string>() == "cpu_usage");
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

    [Fact]
    public async Task A_read_key_for_some_hosts_gets_neither_the_reports_nor_the_rules_of_other_hosts()
    {
        foreach (var host in new[] { "mine-web-1", "theirs-db-1" }) await (await fixture.Client.PostJsonAsync(Cpu(host, 10))).ExpectAcceptedAsync();
        var reader = await Keys.CreateAsync(fixture.Client, "analyst", ["mine-*"]);
        using var client = fixture.Node.ClientWithKey(reader.Token);

        // Reports made by an unscoped key: one of the reader's hosts, one of another's.
        string Report(string host) => $$"""{"report_type":"performance_summary","metrics":["cpu_usage"],"hosts":["{{host}}"],"format":"json"}""";
        var own = (await (await fixture.Client.PostJsonAsync(Report("mine-web-1"), "/api/v1/performance/reports")).ReadJsonAsync())["id"]!.GetValue<string>();
        var other = (await (await fixture.Client.PostJsonAsync(Report("theirs-db-1"), "/api/v1/performance/reports")).ReadJsonAsync())["id"]!.GetValue<string>();
        Assert.Equal(own, (await client.GetJsonAsync($"/api/v1/reports/{own}"))["id"]!.GetValue<string>());
        var listed = (await client.GetJsonAsync("/api/v1/reports?limit=100"))["reports"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToArray();
        Assert.Contains(own, listed);
        Assert.DoesNotContain(other, listed);
        foreach (var path in new[] { $"/api/v1/reports/{other}", $"/api/v1/reports/{other}/content" })
        {
            using var response = await client.GetAsync(path);
            await response.ExpectProblemAsync(HttpStatusCode.NotFound, "id");
        }

        foreach (var (id, host) in new[] { ("rule-of-mine", "mine-web-1"), ("rule-of-theirs", "theirs-db-1"), ("rule-of-their-pattern", "theirs-*") })
            using (var created = await fixture.Client.PostJsonAsync($$"""{"id":"{{id}}","kind":"threshold","metric":"cpu.usage","warning":80,"host":"{{host}}"}""", "/api/v1/alert-rules"))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rules = (await client.GetJsonAsync("/api/v1/alert-rules"))["rules"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToArray();
        Assert.Contains("rule-of-mine", rules);
        Assert.Contains("cpu_usage", rules); // the engine-wide default rule applies to its hosts too
        Assert.DoesNotContain("rule-of-theirs", rules);
        Assert.DoesNotContain("rule-of-their-pattern", rules);
        using var hidden = await client.GetAsync("/api/v1/alert-rules/rule-of-theirs");
        await hidden.ExpectProblemAsync(HttpStatusCode.NotFound, "id");
        Assert.Contains("rule-of-theirs", (await fixture.Client.GetJsonAsync("/api/v1/alert-rules"))["rules"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
    }
}
