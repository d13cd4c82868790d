using Akka.Hosting;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using static Perf.Actors.Hosts.HostCommands;

namespace Perf.Actors.Tests.Ingestion;

/// <summary>The write path after decoding, with a probe standing in for the host region.</summary>
public sealed class IngestionPipelineTests() : Akka.Hosting.TestKit.TestKit("ingestion-pipeline-tests")
{
    private static readonly IngestSettings Settings = new(
        QueueSize: 16, Parallelism: 4, MaxInFlightPoints: 3, MaxBodyBytes: 1 << 20, MaxFutureSkew: TimeSpan.FromMinutes(5),
        OutOfOrderTolerance: TimeSpan.FromMinutes(5), MaxSeriesPerHost: 100, WriteTimeout: TimeSpan.FromSeconds(30), RetryAfter: TimeSpan.FromSeconds(1));

    private static readonly IngestOrigin Origin = new("json", "test");

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    private static SampleBatch Batch(IngestionPipeline pipeline, params (string Host, string Metric, long T, double V)[] samples)
    {
        var batch = new SampleBatch();
        foreach (var (host, metric, t, v) in samples) batch.Add(pipeline.Series.Series(host, metric), t, v);
        return batch;
    }

    [Fact]
    public async Task Series_seen_for_the_first_time_are_registered_then_each_host_gets_one_append_with_its_samples_in_order()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings with { MaxInFlightPoints = 100 }, TimeProvider.System);
        using var batch = Batch(pipeline, ("web-1", "cpu", 1_000, 1), ("web-2", "cpu", 1_000, 2), ("web-1", "mem", 1_000, 3), ("web-1", "cpu", 2_000, 4));

        var submitted = pipeline.SubmitAsync(batch, Origin);
        for (var i = 0; i < 2; i++)
        {
            var check = await hosts.ExpectMsgAsync<CheckSeries>();
            hosts.Reply(new SeriesRegistration(true, 0, 100, check.Metrics.Length, check.Metrics.Length));
        }
        for (var i = 0; i < 2; i++)
        {
            var register = await hosts.ExpectMsgAsync<RegisterSeries>();
            // web-1 already had three series: its new ones get indexes 3 and 4.
            var indexes = register.Host == "web-1" ? [3, 4] : new[] { 0 };
            Assert.Equal(register.Host == "web-1" ? ["cpu", "mem"] : ["cpu"], register.Metrics);
            hosts.Reply(new SeriesRegistration(true, 5, 100, register.Metrics.Length, register.Metrics.Length, indexes));
        }
        var appends = new[] { await hosts.ExpectMsgAsync<AppendSamples>(), await hosts.ExpectMsgAsync<AppendSamples>() };
        var web1 = appends.Single(a => a.Host == "web-1");
        Assert.Equal([3, 4, 3], web1.Series.AsSpan(web1.Offset, web1.Count).ToArray());
        Assert.Equal([1_000L, 1_000, 2_000], web1.Timestamps.AsSpan(web1.Offset, web1.Count).ToArray());
        Assert.Equal([1.0, 3, 4], web1.Values.AsSpan(web1.Offset, web1.Count).ToArray());
        var web2 = appends.Single(a => a.Host == "web-2");
        Assert.Equal([0], web2.Series.AsSpan(web2.Offset, web2.Count).ToArray());
        Assert.Equal([2.0], web2.Values.AsSpan(web2.Offset, web2.Count).ToArray());
        var collector = hosts.LastSender; // the appends' replies go to one collector, not to the caller
        collector.Tell(new AppendResult(2, 1, web1.Correlation, [4], [1]), TestActor);
        collector.Tell(new AppendResult(1, 0, web2.Correlation), TestActor);

        var outcome = await submitted;
        Assert.Equal((IngestStatus.Stored, 3, 1), (outcome.Status, outcome.Accepted, outcome.RejectedTooOld));
        Assert.Equal(new Dictionary<string, int> { ["web-1/mem"] = 1 }, outcome.RejectedSeries);

        // The series are known now: the next request asks no host about them, and goes straight to the actor that answered
        // for the host (here the test's), not through the region.
        using var again = Batch(pipeline, ("web-2", "cpu", 3_000, 5));
        var second = pipeline.SubmitAsync(again, Origin);
        var next = await ExpectMsgAsync<AppendSamples>();
        Assert.Equal(0, next.Series[next.Offset]);
        LastSender.Tell(new AppendResult(1, 0, next.Correlation), TestActor);
        Assert.Equal(IngestStatus.Stored, (await second).Status);
        await hosts.ExpectNoMsgAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task An_append_returned_by_a_stopping_host_goes_again_through_the_region_and_a_stopped_host_is_reached_through_it()
    {
        var region = CreateTestProbe();
        var host = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, region.Ref, Settings with { MaxInFlightPoints = 100 }, TimeProvider.System);
        pipeline.Series.Series("web-1", "cpu").Registered(0);

        // The first append goes through the region; the host's answer makes the next ones go straight to it.
        await WriteAsync(region, answerFrom: host);
        using (var batch = Batch(pipeline, ("web-1", "cpu", 2_000, 2)))
        {
            var submitted = pipeline.SubmitAsync(batch, Origin);
            var direct = await host.ExpectMsgAsync<AppendSamples>();
            // The host is stopping (passivated): it hands the append back, and the region delivers it.
            host.Reply(new AppendReturned(direct));
            var again = await region.ExpectMsgAsync<AppendSamples>();
            Assert.Same(direct, again);
            region.LastSender.Tell(new AppendResult(1, 0, again.Correlation), host.Ref);
            Assert.Equal(IngestStatus.Stored, (await submitted).Status);
        }

        // It answered again, so it is written to directly again. Once it has stopped, an append reaches the region whether
        // this node has heard of the stop yet (the host is forgotten) or not (the append comes back as a dead letter).
        await WriteAsync(host, answerFrom: host);
        Watch(host.Ref);
        Sys.Stop(host.Ref);
        await ExpectTerminatedAsync(host.Ref);
        await WriteAsync(region, answerFrom: CreateTestProbe());

        async Task WriteAsync(Akka.TestKit.TestProbe through, Akka.TestKit.TestProbe answerFrom)
        {
            using var batch = Batch(pipeline, ("web-1", "cpu", Random.Shared.Next(10_000, 1_000_000), 1));
            var submitted = pipeline.SubmitAsync(batch, Origin);
            var append = await through.ExpectMsgAsync<AppendSamples>();
            through.LastSender.Tell(new AppendResult(1, 0, append.Correlation), answerFrom.Ref);
            Assert.Equal(IngestStatus.Stored, (await submitted).Status);
        }
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_its_points_are_written_leaves_them_counted_until_the_write_ends()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        pipeline.Series.Series("web-1", "cpu.usage").Registered(0);
        using var clientGone = new CancellationTokenSource();
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1), ("web-1", "cpu.usage", 2_000, 2));

        var abandoned = pipeline.SubmitAsync(batch, Origin, clientGone.Token);
        var append = await hosts.ExpectMsgAsync<AppendSamples>();
        await clientGone.CancelAsync();

        // The write goes on without its caller, so its points still count: a retry of the same two points would pass
        // the bound of 3 and is refused.
        Assert.Equal(2, pipeline.PointsInFlight);
        using (var retry = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1), ("web-1", "cpu.usage", 2_000, 2)))
            Assert.Equal(IngestStatus.Overloaded, (await pipeline.SubmitAsync(retry, Origin)).Status);

        hosts.LastSender.Tell(new AppendResult(2, 0, append.Correlation), TestActor);
        Assert.Equal(IngestStatus.Stored, (await abandoned).Status);
        Assert.Equal(0, pipeline.PointsInFlight);
    }

    [Fact]
    public async Task A_host_over_its_limit_refuses_a_request_of_several_hosts_before_any_host_registers_anything()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1), ("web-2", "cpu.usage", 1_000, 1));

        var submitted = pipeline.SubmitAsync(batch, Origin);
        for (var i = 0; i < 2; i++)
        {
            var check = await hosts.ExpectMsgAsync<CheckSeries>();
            hosts.Reply(check.Host == "web-2" ? new SeriesRegistration(false, 100, 100, 1) : new SeriesRegistration(true, 1, 100, 1, 1));
        }

        var outcome = await submitted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal((IngestStatus.CardinalityExceeded, "web-2"), (outcome.Status, outcome.Host));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no RegisterSeries, no append
    }

    [Fact]
    public async Task A_host_that_could_not_store_new_series_fails_the_request_as_retryable_not_as_over_its_limit()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1));

        var submitted = pipeline.SubmitAsync(batch, Origin);
        await hosts.ExpectMsgAsync<CheckSeries>();
        hosts.Reply(new SeriesRegistration(true, 0, 100, 1, 1));
        await hosts.ExpectMsgAsync<RegisterSeries>();
        hosts.Reply(new SeriesRegistration(false, 0, 100, 1, Failure: "database or disk is full"));

        var outcome = await submitted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.TimedOut, outcome.Status);
        Assert.Contains("database or disk is full", outcome.Reason);
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // no append
    }

    [Fact]
    public async Task A_host_that_could_not_store_its_samples_fails_the_request_at_once_as_retryable()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        pipeline.Series.Series("web-1", "cpu.usage").Registered(0);
        pipeline.Series.Series("web-2", "cpu.usage").Registered(0);
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1), ("web-2", "cpu.usage", 1_000, 2));

        var submitted = pipeline.SubmitAsync(batch, Origin);
        var first = await hosts.ExpectMsgAsync<AppendSamples>();
        await hosts.ExpectMsgAsync<AppendSamples>(); // answered by nobody: the failure alone ends the request
        hosts.LastSender.Tell(new AppendFailed("database is away", first.Correlation), TestActor);

        // Long before the 30 s write timeout.
        var outcome = await submitted.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.TimedOut, outcome.Status);
        Assert.Contains("database is away", outcome.Reason);
        Assert.Equal(0, pipeline.PointsInFlight);
    }

    [Fact]
    public async Task A_request_waiting_when_a_worker_becomes_unreachable_ends_within_a_second_and_so_do_new_ones()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        pipeline.Series.Series("web-1", "cpu.usage").Registered(0);
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1));

        var waiting = pipeline.SubmitAsync(batch, Origin);
        await hosts.ExpectMsgAsync<AppendSamples>(); // answered by nobody: its host was on the lost worker
        pipeline.WorkersUnreachable(true, "akka.tcp://perf@10.0.0.3:4053");

        // Long before the 30 s write timeout.
        var outcome = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.TimedOut, outcome.Status);
        Assert.Contains("akka.tcp://perf@10.0.0.3:4053 is unreachable", outcome.Reason);
        using var later = Batch(pipeline, ("web-1", "cpu.usage", 2_000, 2));
        var next = pipeline.SubmitAsync(later, Origin);
        await hosts.ExpectMsgAsync<AppendSamples>();
        Assert.Equal(IngestStatus.TimedOut, (await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Status);

        // Once the worker is removed, a request waits for its answer again (its hosts have a new owner).
        pipeline.WorkerRemoved("akka.tcp://perf@10.0.0.3:4053");
        pipeline.WorkersUnreachable(false, "akka.tcp://perf@10.0.0.3:4053");
        using var afterwards = Batch(pipeline, ("web-1", "cpu.usage", 3_000, 3));
        var answered = pipeline.SubmitAsync(afterwards, Origin);
        var append = await hosts.ExpectMsgAsync<AppendSamples>();
        // Past the 1 s limit of an unreachable worker, the request is still waiting for its host.
        await Assert.ThrowsAsync<TimeoutException>(() => answered.WaitAsync(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken));
        hosts.LastSender.Tell(new AppendResult(1, 0, append.Correlation), TestActor);
        Assert.Equal(IngestStatus.Stored, (await answered).Status);
    }

    [Fact]
    public async Task The_requests_in_flight_when_a_worker_is_removed_end_at_once()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        pipeline.Series.Series("web-1", "cpu.usage").Registered(0);
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1));

        var waiting = pipeline.SubmitAsync(batch, Origin);
        await hosts.ExpectMsgAsync<AppendSamples>();
        pipeline.WorkerRemoved("akka.tcp://perf@10.0.0.3:4053");

        var outcome = await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.TimedOut, outcome.Status);
        Assert.Contains("was removed", outcome.Reason);
    }

    [Fact]
    public async Task Below_the_storage_reserve_a_request_is_refused_before_any_host_hears_of_it_but_the_nodes_own_figures_are_not()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System, storageShortage: () => "12 MB free");
        pipeline.Series.Series("web-1", "cpu.usage").Registered(0);
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1));

        var outcome = await pipeline.SubmitAsync(batch, Origin);

        Assert.Equal((IngestStatus.InsufficientStorage, "12 MB free"), (outcome.Status, outcome.Reason));
        await hosts.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, pipeline.PointsInFlight);
        var own = pipeline.SubmitAsync(batch, new IngestOrigin("self", "perf-system"));
        var append = await hosts.ExpectMsgAsync<AppendSamples>();
        hosts.LastSender.Tell(new AppendResult(1, 0, append.Correlation), TestActor);
        Assert.Equal(IngestStatus.Stored, (await own).Status);
    }

    [Fact]
    public async Task A_host_that_does_not_know_a_series_index_makes_the_node_register_that_host_s_series_again()
    {
        var hosts = CreateTestProbe();
        var pipeline = new IngestionPipeline(Sys, hosts.Ref, Settings, TimeProvider.System);
        var series = pipeline.Series.Series("web-1", "cpu.usage");
        series.Registered(7); // e.g. learned before a backup with fewer series was restored
        using var batch = Batch(pipeline, ("web-1", "cpu.usage", 1_000, 1));

        var submitted = pipeline.SubmitAsync(batch, Origin);
        var append = await hosts.ExpectMsgAsync<AppendSamples>();
        hosts.LastSender.Tell(new AppendFailed("host web-1 has no series 7", append.Correlation, UnknownSeries: true), TestActor);

        Assert.Equal(IngestStatus.TimedOut, (await submitted).Status);
        Assert.False(series.IsRegistered);
    }
}
