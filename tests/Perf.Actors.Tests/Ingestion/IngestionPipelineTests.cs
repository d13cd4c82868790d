using Akka.Hosting;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Series.SeriesCommands;

namespace Perf.Actors.Tests.Ingestion;

/// <summary>The write path's memory bound, with probes standing in for the host and series regions.</summary>
public sealed class IngestionPipelineTests() : Akka.Hosting.TestKit.TestKit("ingestion-pipeline-tests")
{
    private static readonly IngestSettings Settings = new(
        QueueSize: 16, Parallelism: 4, MaxInFlightPoints: 3, MaxBodyBytes: 1 << 20, MaxFutureSkew: TimeSpan.FromMinutes(5),
        OutOfOrderTolerance: TimeSpan.FromMinutes(5), MaxSeriesPerHost: 100, WriteTimeout: TimeSpan.FromSeconds(30), RetryAfter: TimeSpan.FromSeconds(1));

    private static readonly IngestOrigin Origin = new("json", "test");

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private static IngestBatch TwoPoints(string host) =>
        new([new HostSamples(host, [new SeriesSamples("cpu.usage", [1_000, 2_000], [1, 2])])]);

    [Fact]
    public async Task A_caller_that_gives_up_leaves_its_points_counted_until_their_write_ends()
    {
        var series = CreateTestProbe();
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, series.Ref, hosts.Ref, Settings, TimeProvider.System);
        using var clientGone = new CancellationTokenSource();

        var abandoned = pipeline.SubmitAsync(TwoPoints("web-1"), Origin, clientGone.Token);
        await hosts.ExpectMsgAsync<CheckSeries>();
        hosts.Reply(new SeriesRegistration(true, 0, 100, 1, New: 1));
        await hosts.ExpectMsgAsync<RegisterSeries>(); // a new series: registered before its points are written
        hosts.Reply(new SeriesRegistration(true, 1, 100, 1, New: 1));
        var append = await series.ExpectMsgAsync<AppendPoints>();
        await clientGone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        // The write goes on without its caller, so its points still count: a retry of the same two points would pass
        // the bound of 3 and is refused.
        Assert.Equal(2, pipeline.PointsInFlight);
        Assert.Equal(IngestStatus.Overloaded, (await pipeline.SubmitAsync(TwoPoints("web-1"), Origin)).Status);

        series.Reply(new AppendResult(2, 0, append.Correlation));
        await AwaitAssertAsync(() => Assert.Equal(0, pipeline.PointsInFlight));
    }

    [Fact]
    public async Task A_host_over_its_limit_refuses_a_request_of_several_hosts_before_any_host_registers_anything()
    {
        var series = CreateTestProbe();
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, series.Ref, hosts.Ref, Settings, TimeProvider.System);
        var batch = new IngestBatch([
            new HostSamples("web-1", [new SeriesSamples("cpu.usage", [1_000], [1])]),
            new HostSamples("web-2", [new SeriesSamples("cpu.usage", [1_000], [1])])]);

        var submitted = pipeline.SubmitAsync(batch, Origin);
        Assert.Equal("web-1", (await hosts.ExpectMsgAsync<CheckSeries>()).Host);
        hosts.Reply(new SeriesRegistration(true, 1, 100, 1));
        Assert.Equal("web-2", (await hosts.ExpectMsgAsync<CheckSeries>()).Host);
        hosts.Reply(new SeriesRegistration(false, 100, 100, 1));

        var outcome = await submitted;
        Assert.Equal((IngestStatus.CardinalityExceeded, "web-2"), (outcome.Status, outcome.Host));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no RegisterSeries for web-1
        await series.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_series_that_could_not_store_its_points_fails_the_request_at_once_as_retryable()
    {
        var series = CreateTestProbe();
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, series.Ref, hosts.Ref, Settings, TimeProvider.System);
        var batch = new IngestBatch([new HostSamples("web-1",
            [new SeriesSamples("cpu.usage", [1_000], [1]), new SeriesSamples("memory.usage", [1_000], [2])])]);

        var submitted = pipeline.SubmitAsync(batch, Origin);
        await hosts.ExpectMsgAsync<CheckSeries>();
        hosts.Reply(new SeriesRegistration(true, 2, 100, 2)); // known series: the check is the only ask
        var first = await series.ExpectMsgAsync<AppendPoints>();
        await series.ExpectMsgAsync<AppendPoints>(); // answered by nobody: the failure alone ends the request
        series.Reply(new AppendFailed("database is away", first.Correlation));

        // Long before the 30 s write timeout.
        var outcome = await submitted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.TimedOut, outcome.Status);
        Assert.Equal(0, pipeline.PointsInFlight);
    }
}
