using Akka.Actor;
using Perf.Actors.Hosts;
using static Perf.Actors.Hosts.HostAnomalyProtocol;
using static Perf.Actors.Series.SeriesCommands;

namespace Perf.Actors.Tests.Hosts;

public sealed class HostAnomalyActorTests : Akka.Hosting.TestKit.TestKit
{
    private static readonly string[] Metrics = ["cpu.usage", "memory.usage", "application.response_time"];
    private const long Start = 1_790_000_000_000;

    protected override void ConfigureAkka(Akka.Hosting.AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
    }

    [Fact]
    public async Task A_run_of_unusual_vectors_is_one_finding_at_its_start_and_a_later_run_is_another()
    {
        var series = CreateTestProbe();
        var model = Sys.ActorOf(HostAnomalyActor.Props("pca-host", series.Ref));
        var random = new Random(11);
        var minute = 0;
        void Observe(double cpu, double memory, double responseTime) => model.Tell(new ObserveHostSamples(Metrics,
            [.. Metrics.Select(_ => Start + minute * 60_000L)], [cpu, memory, responseTime]), ActorRefs.NoSender);
        void Usual()
        {
            var load = 10 + random.NextDouble() * 80;
            Observe(load + random.NextDouble() * 3, 20 + 0.5 * load + random.NextDouble() * 2, 100 + 2 * load + random.NextDouble() * 6);
            minute++;
        }
        for (var i = 0; i < HostAnomalyActor.FirstTraining + 10; i++) Usual();
        await AwaitConditionAsync(async () => (await model.Ask<HostAnomalyList>(new GetHostAnomalies("pca-host", 0, long.MaxValue))).TrainedOn > 0,
            TimeSpan.FromSeconds(30));
        // What the model found while it was still learning is not this test's business.
        series.ReceiveWhile<object>(TimeSpan.Zero, f => f);

        // Memory jumps and stays: 30 unusual minutes.
        var shiftStart = minute;
        for (var i = 0; i < 30; i++, minute++) Observe(50, 95, 200);
        var first = await series.ExpectMsgAsync<RecordFinding>();
        Assert.Equal(Start + shiftStart * 60_000L, first.Finding.TimestampMs);

        // Back to usual, then another run: a second finding.
        Usual();
        var secondStart = minute;
        Observe(90, 25, 130);
        minute++;
        Observe(90, 25, 130);
        var second = await series.ExpectMsgAsync<RecordFinding>();
        Assert.Equal(Start + secondStart * 60_000L, second.Finding.TimestampMs);
        var list = await model.Ask<HostAnomalyList>(new GetHostAnomalies("pca-host", Start + shiftStart * 60_000L, long.MaxValue));
        Assert.Equal([Start + shiftStart * 60_000L, Start + secondStart * 60_000L], list.Anomalies.Select(a => a.TimestampMs));
    }
}
