using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

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
    public async Task An_address_that_keeps_failing_authentication_is_refused_before_its_key_is_checked_even_the_right_key()
    {
        await using var node = new PerfNodeProcess(new Dictionary<string, string>
        {
            ["PERF_PERF__SECURITY__RATE_LIMIT__UNAUTHENTICATED_REQUESTS_PER_SECOND"] = "1",
            ["PERF_PERF__SECURITY__RATE_LIMIT__UNAUTHENTICATED_BURST"] = "3",
            ["Logging__LogLevel__Perf.Access"] = "Information",
        });
        await node.StartAsync();
        using var guesser = node.ClientWithKey("not-a-key-0123456789abcdef");

        // Guess until the address is throttled: the burst of 3 failures (plus what refilled meanwhile) gets 401 each.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40 && (statuses.Count == 0 || statuses[^1] != HttpStatusCode.TooManyRequests); i++)
        {
            using var response = await guesser.GetAsync("/api/v1/hosts");
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(statuses[..^1], status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.InRange(statuses.Count - 1, 3, 39);

        // The right key from the same address is refused alike, before it is checked: a 429 says nothing about a key.
        using (var right = await node.Client.GetAsync("/api/v1/hosts"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
            Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(right.Headers.RetryAfter);
        }
        // Public endpoints stay open, and once the bucket refills (1 a second) the right key is let in again.
        using (var health = await node.Client.GetAsync("/health/live")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await Poll.UntilAsync("the right key let in after the refill", async _ =>
        {
            using var response = await node.Client.GetAsync("/api/v1/hosts");
            return response.StatusCode == HttpStatusCode.OK;
        }, TestContext.Current.CancellationToken, TimeSpan.FromSeconds(30));

        // Refusals are logged once for the address, not a line each; the 401s before them are in the access log.
        await Poll.UntilAsync("the throttle's log line and an access log line per 401", _ => Task.FromResult(
            node.Output.Contains("Address 127.0.0.1 is throttled after failed authentications", StringComparison.Ordinal)
            && Regex.Matches(node.Output, "GET /api/v1/hosts 401 ").Count == statuses.Count - 1), TestContext.Current.CancellationToken);
        Assert.DoesNotMatch("GET /api/v1/hosts 429 ", node.Output);
        Assert.Single(Regex.Matches(node.Output, "is throttled after failed authentications"));
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
