using System.Collections.Concurrent;
using Perf.Cli.Load;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

public sealed class RecoveryDriverTests
{
    [Fact]
    public async Task Retries_until_every_series_answers_and_asks_each_series_by_its_escaped_path()
    {
        // Each series answers 503 (still recovering) the first time and 200 afterwards.
        var askedPaths = new ConcurrentDictionary<string, int>();
        await using var server = FakeEngineServer.Start(context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            var timesAsked = askedPaths.AddOrUpdate(path, 1, (_, count) => count + 1);
            context.Response.StatusCode = timesAsked == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        var options = new RecoveryOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 3,
            Metrics = 2,
            Concurrency = 4,
            Timeout = TimeSpan.FromSeconds(30),
            RetryDelay = TimeSpan.FromMilliseconds(10),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: null);

        var outcome = await new RecoveryDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        Assert.True(outcome.AllAnswered);
        Assert.Equal(6, outcome.Totals.Answered);
        Assert.Equal(6, outcome.Totals.Retries);
        Assert.Equal(12, outcome.Totals.Requests);
        Assert.Equal(0, outcome.Totals.Errors);
        var expectedPaths = from host in new[] { "bench-0000", "bench-0001", "bench-0002" }
                            from metric in new[] { "bench.m0", "bench.m1" }
                            select $"/api/v1/series/{host}/{metric}/state";
        Assert.Equal(expectedPaths.Order(), askedPaths.Keys.Order());
    }

    [Fact]
    public async Task Gives_up_at_the_timeout_and_says_how_many_answered()
    {
        await using var server = FakeEngineServer.Start(context =>
        {
            context.Response.StatusCode = context.Request.Url!.AbsolutePath.Contains("bench-0000") ? 200 : 503;
            return Task.CompletedTask;
        });
        var options = new RecoveryOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 2,
            Metrics = 2,
            Concurrency = 4,
            Timeout = TimeSpan.FromMilliseconds(500),
            RetryDelay = TimeSpan.FromMilliseconds(20),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: null);

        var outcome = await new RecoveryDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        Assert.False(outcome.AllAnswered);
        Assert.Equal(2, outcome.Totals.Answered);
        Assert.InRange(outcome.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task By_host_asks_each_host_once_and_counts_its_series_only_when_every_one_has_a_point()
    {
        // bench-0000 lists both series with a point; bench-0001 has not got m1's point back.
        var askedPaths = new ConcurrentDictionary<string, int>();
        await using var server = FakeEngineServer.Start(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            askedPaths.AddOrUpdate(path, 1, (_, count) => count + 1);
            var m1 = path.EndsWith("bench-0000", StringComparison.Ordinal) ? "\"2026-12-08T00:00:00Z\"" : "null";
            var body = "{\"host\":\"h\",\"series_count\":2,\"series\":[{\"metric\":\"bench.m0\",\"timestamp\":\"2026-12-08T00:00:00Z\",\"value\":1}," +
                       $"{{\"metric\":\"bench.m1\",\"timestamp\":{m1},\"value\":null}}]}}";
            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body));
        });
        var options = new RecoveryOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 2,
            Metrics = 2,
            Concurrency = 2,
            ByHost = true,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: null);

        var outcome = await new RecoveryDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["/api/v1/hosts/bench-0000", "/api/v1/hosts/bench-0001"], askedPaths.Keys.Order());
        Assert.Equal(2, outcome.Totals.Answered);
        Assert.Equal(1, outcome.Totals.Errors);
        Assert.Contains("1 of 2 series", outcome.Totals.LastError);
        Assert.False(outcome.AllAnswered);
    }

    [Fact]
    public void Path_segments_are_escaped()
    {
        Assert.Equal("api/v1/series/web%2F01/cpu%20usage/state", EnginePaths.SeriesState("web/01", "cpu usage"));
    }
}
