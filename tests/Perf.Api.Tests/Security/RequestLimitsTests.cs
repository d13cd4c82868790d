using System.Diagnostics;
using System.Net;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>Per-key rate limits and the body limit of the management endpoints.</summary>
public sealed class RequestLimitsTests(SecuredNode fixture) : IClassFixture<SecuredNode>
{
    [Fact]
    public async Task A_burst_over_a_keys_limit_gets_429_with_Retry_After_and_other_keys_are_unaffected()
    {
        var limited = await Keys.CreateAsync(fixture.Client, "read", rateLimit: (1, 3));
        var other = await Keys.CreateAsync(fixture.Client, "read");
        using var limitedClient = fixture.Node.ClientWithKey(limited.Token);
        using var otherClient = fixture.Node.ClientWithKey(other.Token);

        var statuses = new List<HttpResponseMessage>();
        var sending = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++) statuses.Add(await limitedClient.GetAsync("/api/v1/hosts"));
        var elapsed = sending.Elapsed;
        using var unaffected = await otherClient.GetAsync("/api/v1/hosts");

        Assert.All(statuses.Take(3), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode)); // the burst
        var refused = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        // Beyond the burst of 3, the bucket refills one request per second of the time the ten took (slow on a busy machine).
        var mostAllowed = 3 + (int)Math.Ceiling(elapsed.TotalSeconds);
        Assert.InRange(refused.Length, Math.Max(1, 10 - mostAllowed), 7);
        Assert.NotNull(refused[0].Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused[0].Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
        foreach (var response in statuses) response.Dispose();
    }

    [Fact]
    public async Task Guessing_keys_is_held_to_the_unauthenticated_limit_of_its_address_while_valid_keys_keep_theirs()
    {
        await using var node = new PerfNodeProcess(new Dictionary<string, string>
        {
            ["PERF_PERF__SECURITY__RATE_LIMIT__UNAUTHENTICATED_REQUESTS_PER_SECOND"] = "1",
            ["PERF_PERF__SECURITY__RATE_LIMIT__UNAUTHENTICATED_BURST"] = "3",
        });
        await node.StartAsync();
        using var guesser = node.ClientWithKey("not-a-key-0123456789abcdef");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await guesser.GetAsync("/api/v1/hosts");
            statuses.Add(response.StatusCode);
        }
        var valid = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await node.Client.GetAsync("/api/v1/hosts");
            valid.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses); // the address's unauthenticated bucket (burst 3) ran out
        Assert.All(valid, status => Assert.Equal(HttpStatusCode.OK, status)); // the default key limit: 10,000/s
    }

    [Fact]
    public async Task A_management_body_over_its_limit_gets_413_while_ingestion_keeps_its_own_limit()
    {
        var huge = "{\"comment\":\"" + new string('x', 100 * 1024) + "\"}";

        // As a client that sends a large body should: it waits for "100 Continue", so the early 413 does not cut it off.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/silences") { Content = new StringContent(huge, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        using var silence = await fixture.Client.SendAsync(request);
        await silence.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body");

        // 100 KB of metrics is well inside perf.ingest.max_body_bytes (16 MB).
        var start = NodeApi.RecentSecond(20);
        var batch = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i =>
            NodeApi.Serialize(new
            {
                host = "limits-host",
                timestamp = NodeApi.Iso(start.AddSeconds(i)),
                metrics = new { cpu = new { usage = i % 100 + 0.5, user = 1.25 } },
            }))) + "]";
        Assert.True(batch.Length > 64 * 1024);
        await (await fixture.Client.PostJsonAsync(batch)).ExpectAcceptedAsync();
    }
}
