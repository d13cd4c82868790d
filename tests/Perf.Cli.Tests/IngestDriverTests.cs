using Perf.Cli.Load;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

public sealed class IngestDriverTests
{
    [Fact]
    public async Task Retries_a_throttled_batch_and_accounts_for_every_point()
    {
        var endpoint = new RecordingIngestEndpoint(throttledRequests: 1);
        await using var server = FakeEngineServer.Start(endpoint.HandleAsync);
        var options = new IngestOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 3,
            Metrics = 4,
            BatchPoints = 5,
            Concurrency = 1,
            MaxPoints = 120,
            Duration = TimeSpan.FromSeconds(30),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: "k-123");

        var outcome = await new IngestDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        var totals = outcome.Totals;
        Assert.Equal(1, totals.Retries429);
        Assert.Equal(0, totals.Errors);
        Assert.Equal(120, totals.SentPoints);
        Assert.Equal(120, totals.AcceptedPoints);
        Assert.Equal(0, totals.FailedPoints);
        Assert.Equal(120 / 5 + 1, totals.Requests);
        Assert.Equal(120, endpoint.SamplesStored);
        Assert.Equal(120 / 5 + 1, endpoint.RequestsSeen);
        Assert.Equal("k-123", endpoint.LastApiKey);

        // One worker walks all 12 series round-robin: 10 rounds, each series 10 points in timestamp order.
        Assert.Equal(12, endpoint.TimestampsBySeries.Count);
        Assert.All(endpoint.TimestampsBySeries.Values, timestamps =>
        {
            Assert.Equal(10, timestamps.Count);
            Assert.All(timestamps.Zip(timestamps.Skip(1)), pair => Assert.True(pair.Item2 > pair.Item1));
        });
        Assert.True(totals.P99Milliseconds > 0);
        Assert.True(totals.MaxMilliseconds >= totals.P50Milliseconds);
    }

    [Fact]
    public async Task Concurrent_workers_keep_each_series_in_timestamp_order()
    {
        var endpoint = new RecordingIngestEndpoint(throttledRequests: 3);
        await using var server = FakeEngineServer.Start(endpoint.HandleAsync);
        var options = new IngestOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 5,
            Metrics = 6,
            BatchPoints = 7,
            Concurrency = 4,
            MaxPoints = 2000,
            Duration = TimeSpan.FromSeconds(30),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: null);

        var outcome = await new IngestDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(3, outcome.Totals.Retries429);
        Assert.Equal(0, outcome.Totals.Errors);
        Assert.Equal(2000, outcome.Totals.AcceptedPoints);
        Assert.Equal(2000, endpoint.SamplesStored);
        Assert.Equal(30, endpoint.TimestampsBySeries.Count);
        Assert.All(endpoint.TimestampsBySeries.Values, timestamps =>
            Assert.All(timestamps.Zip(timestamps.Skip(1)), pair => Assert.True(pair.Item2 > pair.Item1)));
    }

    [Fact]
    public async Task The_rate_limit_holds_the_run_to_the_target()
    {
        var endpoint = new RecordingIngestEndpoint(throttledRequests: 0);
        await using var server = FakeEngineServer.Start(endpoint.HandleAsync);
        var options = new IngestOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 2,
            Metrics = 2,
            BatchPoints = 100,
            Concurrency = 4,
            PointsPerSecond = 2000,
            MaxPoints = 1000,
            Duration = TimeSpan.FromSeconds(30),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: null);

        var outcome = await new IngestDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        // 10 batches of 100 at 2000 points/s: the last may start at 450 ms, so the run takes about half a second.
        Assert.Equal(1000, outcome.Totals.AcceptedPoints);
        Assert.InRange(outcome.Elapsed, TimeSpan.FromMilliseconds(430), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Server_errors_are_counted_and_the_run_still_ends_at_its_duration()
    {
        await using var server = FakeEngineServer.Start(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var options = new IngestOptions
        {
            BaseUrl = server.BaseUrl,
            Hosts = 1,
            Metrics = 1,
            BatchPoints = 10,
            Concurrency = 2,
            Duration = TimeSpan.FromMilliseconds(600),
            ErrorBackoff = TimeSpan.FromMilliseconds(50),
        };
        using var http = BenchHttpClientFactory.Create(options.BaseUrl, options.Concurrency, apiKey: null);

        var outcome = await new IngestDriver(options, http).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, outcome.Totals.AcceptedPoints);
        Assert.True(outcome.Totals.Errors > 0);
        Assert.Equal(outcome.Totals.Errors * 10, outcome.Totals.FailedPoints);
        Assert.StartsWith("HTTP 500", outcome.Totals.LastError);
        Assert.InRange(outcome.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
    }
}
