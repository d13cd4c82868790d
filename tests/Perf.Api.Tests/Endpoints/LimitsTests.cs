using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>The guards that keep a node healthy under abuse: body size, cardinality, backpressure, passivation.</summary>
public sealed class LimitsTests(LimitedNode fixture) : IClassFixture<LimitedNode>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_body_over_the_limit_gets_413_and_stores_nothing()
    {
        var now = NodeApi.Iso(NodeApi.RecentSecond());
        var fields = string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"f{i}\": {i}"));
        var body = $$"""{"host": "big-host", "timestamp": "{{now}}", "metrics": {"g": { {{fields}} } } }""";
        Assert.True(Encoding.UTF8.GetByteCount(body) > LimitedNode.MaxBodyBytes);
        // Expect: 100-continue lets the node refuse on Content-Length before the body is sent, so the client always reads
        // the answer (a server that stops reading an upload mid-way may reset the connection under the response).
        var request = new HttpRequestMessage(HttpMethod.Post, NodeApi.MetricsPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        await (await _client.SendAsync(request)).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body");
        await (await _client.GetAsync("/api/v1/hosts/big-host")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    [Fact]
    public async Task A_host_past_its_series_limit_gets_422_and_nothing_of_the_request_is_stored()
    {
        var now = NodeApi.Iso(NodeApi.RecentSecond());
        string Body(int from, int count) => $$"""{"host": "card-host", "timestamp": "{{now}}", "metrics": {"m": { {{string.Join(",", Enumerable.Range(from, count).Select(i => $"\"s{i}\": {i}"))}} } } }""";
        await (await _client.PostJsonAsync(Body(0, 3))).ExpectAcceptedAsync();
        var problem = await (await _client.PostJsonAsync(Body(3, LimitedNode.MaxSeriesPerHost))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "host");
        Assert.Contains("card-host", problem["detail"]!.GetValue<string>());
        var host = await _client.GetJsonAsync("/api/v1/hosts/card-host");
        Assert.Equal(3, host["series_count"]!.GetValue<int>());
        await (await _client.GetAsync("/api/v1/series/card-host/m.s3")).ExpectProblemAsync(HttpStatusCode.NotFound, "metric");
        // Up to the limit is fine.
        await (await _client.PostJsonAsync(Body(3, LimitedNode.MaxSeriesPerHost - 3))).ExpectAcceptedAsync();
    }

    [Fact]
    public async Task A_request_for_several_hosts_refused_for_one_registers_nothing_for_the_others()
    {
        var now = NodeApi.Iso(NodeApi.RecentSecond());
        string Sample(string host, int from, int count) =>
            $$"""{"host": "{{host}}", "timestamp": "{{now}}", "metrics": {"m": { {{string.Join(",", Enumerable.Range(from, count).Select(i => $"\"s{i}\": {i}"))}} } } }""";
        await (await _client.PostJsonAsync(Sample("full-host", 0, LimitedNode.MaxSeriesPerHost))).ExpectAcceptedAsync();

        var problem = await (await _client.PostJsonAsync($"[{Sample("fresh-host", 0, 2)}, {Sample("full-host", LimitedNode.MaxSeriesPerHost, 1)}]"))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "host");
        Assert.Contains("full-host", problem["detail"]!.GetValue<string>());
        await (await _client.GetAsync("/api/v1/hosts/fresh-host")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
        Assert.Equal(LimitedNode.MaxSeriesPerHost, (await _client.GetJsonAsync("/api/v1/hosts/full-host"))["series_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task When_the_engine_cannot_keep_up_it_answers_429_with_retry_after_and_stores_nothing_of_those_requests()
    {
        var now = NodeApi.Iso(NodeApi.RecentSecond());
        // Each request carries 3 points; the in-flight budget is 4, so concurrent requests overflow it.
        var requests = Enumerable.Range(0, 60).Select(async i =>
        {
            var body = $$"""{"host": "bp-{{i}}", "timestamp": "{{now}}", "metrics": {"m": {"a": 1, "b": 2, "c": 3} } }""";
            using var response = await _client.PostJsonAsync(body);
            return (Host: $"bp-{i}", response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta);
        }).ToArray();
        var results = await Task.WhenAll(requests);
        var refused = results.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.True(r.RetryAfter >= TimeSpan.FromSeconds(1)));
        Assert.All(results, r => Assert.True(r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.TooManyRequests, r.ToString()));
        foreach (var r in refused)
            await (await _client.GetAsync($"/api/v1/hosts/{r.Host}")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
        foreach (var r in results.Where(r => r.StatusCode == HttpStatusCode.Accepted))
            Assert.Equal(3, (await _client.GetJsonAsync($"/api/v1/hosts/{r.Host}"))["series_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Idle_series_are_passivated_and_recover_their_data_when_asked_again()
    {
        var t = NodeApi.RecentSecond(1);
        var samples = Enumerable.Range(0, 3).Select(i => new { host = "passive-host", timestamp = NodeApi.Iso(t.AddSeconds(i)), metrics = new { cpu = new { usage = 1.0 + i } } });
        // Retries cover the in-flight budget of this node; the test is about what happens after.
        HttpResponseMessage response;
        do response = await _client.PostJsonAsync(NodeApi.Serialize(samples.Take(1)));
        while (response.StatusCode == HttpStatusCode.TooManyRequests);
        await response.ExpectAcceptedAsync();
        do response = await _client.PostJsonAsync(NodeApi.Serialize(samples.Skip(1)));
        while (response.StatusCode == HttpStatusCode.TooManyRequests);
        await response.ExpectAcceptedAsync();

        // passivate_after is 1s here: wait until no series actor runs, then ask again.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !(await _client.GetStringAsync("/metrics")).Contains("perf_series_active{otel_scope_name=\"Perf\",otel_scope_version=\"1.0\"} 0"))
            await Task.Delay(250);
        Assert.Contains("perf_series_active{otel_scope_name=\"Perf\",otel_scope_version=\"1.0\"} 0", await _client.GetStringAsync("/metrics"));

        var points = (await _client.GetJsonAsync("/api/v1/series/passive-host/cpu.usage?start=0"))["points"]!.AsArray();
        Assert.Equal([1.0, 2.0, 3.0], points.Select(p => p!["value"]!.GetValue<double>()));

        // Writes went straight to the host before it stopped: the next ones find it again, one by one.
        foreach (var i in new[] { 3, 4 })
        {
            var more = new[] { new { host = "passive-host", timestamp = NodeApi.Iso(t.AddSeconds(i)), metrics = new { cpu = new { usage = 1.0 + i } } } };
            do response = await _client.PostJsonAsync(NodeApi.Serialize(more));
            while (response.StatusCode == HttpStatusCode.TooManyRequests);
            await response.ExpectAcceptedAsync();
        }
        points = (await _client.GetJsonAsync("/api/v1/series/passive-host/cpu.usage?start=0"))["points"]!.AsArray();
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0], points.Select(p => p!["value"]!.GetValue<double>()));
    }
}
