using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>The optimizer through the API: samples ingested with their own timestamps, recommendations read back, policies set.</summary>
public sealed class OptimizationTests(DefaultNode fixture) : IClassFixture<DefaultNode>
{
    private const string OptimizePath = "/api/v1/performance/optimize";

    /// <summary>One request per sample, 30 s apart from <paramref name="start"/>, as an agent sends them.</summary>
    private async Task<DateTimeOffset> IngestCpuAsync(string host, DateTimeOffset start, double value, TimeSpan span)
    {
        var t = start;
        for (; t <= start + span; t = t.AddSeconds(30))
        {
            var body = NodeApi.Serialize(new { host, timestamp = NodeApi.Iso(t), metrics = new { cpu = new { usage = value } } });
            await (await fixture.Client.PostJsonAsync(body)).ExpectAcceptedAsync();
        }
        return t;
    }

    /// <summary>The host's scaling recommendation once it has the expected action (the host hears of samples after the 202).</summary>
    private async Task<JsonNode> ScalingAsync(string host, string action)
    {
        JsonNode? answer = null;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            answer = await fixture.Client.GetJsonAsync($"/api/v1/recommendations?host={host}");
            if (answer["recommendations"]!.AsArray().FirstOrDefault(r => r!["kind"]!.GetValue<string>() == "scaling") is { } scaling
                && scaling["action"]!.GetValue<string>() == action)
                return scaling;
            await Task.Delay(100);
        }
        Assert.Fail($"no {action} for {host}: {answer?.ToJsonString()}");
        return null!;
    }

    [Fact]
    public async Task Sustained_high_cpu_scales_up_and_sustained_low_cpu_scales_down_after_the_cooldown()
    {
        const string host = "opt-scaling";
        var start = NodeApi.RecentSecond(60);

        var next = await IngestCpuAsync(host, start, 85, TimeSpan.FromMinutes(10));

        var up = await ScalingAsync(host, "scale_up");
        Assert.Equal(NodeApi.Iso(start.AddMinutes(5)).Replace(".000", ""), up["timestamp"]!.GetValue<string>().Replace(".000", ""));
        var evidence = up["evidence"]!;
        Assert.Equal(85, evidence["cpu.usage.min"]!.GetValue<double>());
        Assert.Equal(11, evidence["cpu.usage.samples"]!.GetValue<double>());
        Assert.Equal(300, evidence["cpu.usage.window_seconds"]!.GetValue<double>());
        Assert.Equal(70, evidence["scale_up_threshold"]!.GetValue<double>());
        Assert.Equal(3, evidence["instances"]!.GetValue<double>());
        Assert.Contains("scale_up_threshold", up["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        await IngestCpuAsync(host, next, 20, TimeSpan.FromMinutes(20));

        var down = await ScalingAsync(host, "scale_down");
        // Low from minute 10.5: the window is full at 15.5 (the cooldown since minute 5 ended at 15).
        Assert.Equal(NodeApi.Iso(start.AddMinutes(15.5)).Replace(".000", ""), down["timestamp"]!.GetValue<string>().Replace(".000", ""));
        Assert.Equal(20, down["evidence"]!["cpu.usage.max"]!.GetValue<double>());
        Assert.Equal(2, down["evidence"]!["instances"]!.GetValue<double>());
        var all = await fixture.Client.GetJsonAsync("/api/v1/recommendations");
        Assert.Contains(all["hosts"]!.AsArray(), h => h!["host"]!.GetValue<string>() == host && h["instances"]!.GetValue<int>() == 2);
    }

    [Fact]
    public async Task A_policy_set_through_the_api_changes_the_thresholds_used_for_new_data()
    {
        const string host = "opt-policy";
        using var response = await fixture.Client.PostJsonAsync($$$"""
            {"resource_type": "cpu", "optimization_type": "scaling", "host": "{{{host}}}", "parameters": {"scale_up_threshold": 90}}
            """, OptimizePath);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        var accepted = JsonNode.Parse(text)!;
        Assert.Equal("accepted", accepted["decision"]!.GetValue<string>());
        Assert.Equal(90, accepted["policy"]!["scaling"]!["scale_up_threshold"]!.GetValue<double>());
        Assert.Equal(30, accepted["policy"]!["scaling"]!["scale_down_threshold"]!.GetValue<double>());
        Assert.Contains("scaling.scale_up_threshold: 70 -> 90", accepted["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));

        var start = NodeApi.RecentSecond(60);
        var next = await IngestCpuAsync(host, start, 85, TimeSpan.FromMinutes(10)); // would scale up at the configured 70
        await IngestCpuAsync(host, next, 95, TimeSpan.FromMinutes(5));

        // The first recommendation rests on the 95s only: the 85s did not count at 90.
        var up = await ScalingAsync(host, "scale_up");
        Assert.Equal(NodeApi.Iso(next).Replace(".000", ""), up["window_start"]!.GetValue<string>().Replace(".000", ""));
        Assert.Equal(90, up["evidence"]!["scale_up_threshold"]!.GetValue<double>());
        Assert.Equal(95, up["evidence"]!["cpu.usage.min"]!.GetValue<double>());
        var view = await fixture.Client.GetJsonAsync($"/api/v1/recommendations?host={host}");
        Assert.True(view["hosts"]![0]!["policy_overridden"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_cache_policy_is_accepted_in_the_documents_shape()
    {
        using var response = await fixture.Client.PostJsonAsync("""
            {"resource_type": "memory", "optimization_type": "cache", "host": "opt-cache", "parameters": {"max_size": 2048, "eviction_policy": "lfu", "ttl": "30m"}}
            """, OptimizePath);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        var cache = JsonNode.Parse(text)!["policy"]!["cache"]!;
        Assert.Equal(2048, cache["max_size"]!.GetValue<double>());
        Assert.Equal("lfu", cache["eviction_policy"]!.GetValue<string>());
        Assert.Equal("30m", cache["ttl"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache", "parameters": {"eviction_policy": "random"}}""", "parameters.eviction_policy")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache", "parameters": {"max_size": -1}}""", "parameters.max_size")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache", "parameters": {"max_size": "1GB"}}""", "parameters.max_size")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache", "parameters": {"ttl": "soon"}}""", "parameters.ttl")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache", "parameters": {"algorithm": "weighted"}}""", "parameters.algorithm")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "magic", "parameters": {}}""", "optimization_type")]
    [InlineData("""{"optimization_type": "cache", "parameters": {}}""", "resource_type")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache"}""", "parameters")]
    [InlineData("""{"resource_type": "memory", "optimization_type": "cache", "parameters": {}, "priority": 1}""", "priority")]
    [InlineData("""{"resource_type": "cpu", "optimization_type": "scaling", "host": "", "parameters": {}}""", "host")]
    [InlineData("""{"resource_type": "cpu", "optimization_type": "scaling", "parameters": {"min_instances": 1.5}}""", "parameters.min_instances")]
    [InlineData("""{"resource_type": "cpu", "optimization_type": "scaling", "parameters": {"min_instances": 5, "max_instances": 3}}""", "parameters.max_instances")]
    [InlineData("""{"resource_type": "cpu", "optimization_type": "scaling", "parameters": {"scale_up_threshold": 150}}""", "parameters.scale_up_threshold")]
    [InlineData("""{"resource_type": "cpu", "optimization_type": "scaling", "host": "opt-invalid", "parameters": {"scale_down_threshold": 80}}""", "parameters.scale_down_threshold")]
    [InlineData("""{"resource_type": "cpu", "optimization_type": "scaling", "host": "opt-invalid", "parameters": {"max_instances": 1}}""", "parameters.max_instances")]
    [InlineData("""{"resource_type": "network", "optimization_type": "load_balancing", "parameters": {"algorithm": "random"}}""", "parameters.algorithm")]
    public async Task An_invalid_optimization_request_is_refused_naming_the_field(string body, string field)
    {
        using var response = await fixture.Client.PostJsonAsync(body, OptimizePath);

        await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, field);
    }
}
