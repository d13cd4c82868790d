using Perf.Actors.Tests.Hosts;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using LinqToDB;
using Perf.Actors.Configuration;
using Perf.Actors.Hosts;
using Perf.Actors.Optimization;
using Perf.Actors.Serialization;
using Perf.Actors.Alerts;
using Perf.Actors.Tests.Series;
using static Perf.Actors.Hosts.HostCommands;
using static Perf.Actors.Optimization.OptimizerCommands;
using static Perf.Actors.Optimization.OptimizerQueries;

namespace Perf.Actors.Tests.Optimization;

/// <summary>The optimizer as the host's child against a real SQLite journal: samples through the host, what survives a restart.</summary>
public sealed class OptimizerActorTests : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private const long T0 = 1_700_000_000_000;
    private static readonly OptimizationPolicy Defaults = new(1L << 30, "lru", TimeSpan.FromHours(1), "round_robin", 2, 10, 70, 30);
    private static readonly OptimizerSettings Settings = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), 80);
    private readonly TestDatabase _db = new();

    public OptimizerActorTests() : base("optimizer-actor-tests") { }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
        .WithSqlPersistence(_db.Storage.ConnectionString, ProviderName.SQLiteMS, autoInitialize: true);

    private IActorRef StartHost() => Sys.ActorOf(HostActor.Props("web-1",
        new HostSettings(100, new SealPolicy(300_000, 120, 7_200_000), TestDetection.With(100, 100), 1000, TimeSpan.FromDays(30)), _db.Storage.Hosts,
        DirectoryProbe.Create(this), new SeriesAlerting(new AlertRuleRegistry([]), new FlappingSettings(TimeSpan.FromMinutes(30), 4),
            new NoDataSettings(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2))), (Defaults, Settings), TimeProvider.System));

    [Fact]
    public async Task Recommendations_and_the_policy_survive_a_restart()
    {
        var host = StartHost();
        var series = (await host.Ask<SeriesRegistration>(new RegisterSeries("web-1", ["cpu.usage", "disk.usage"]))).Indexes!;
        var accepted = await host.Ask<PolicyAccepted>(new SetPolicy("web-1", "scaling", new PolicyChange(MaxInstances: 5)));
        Assert.Equal(["scaling.max_instances: 10 -> 5"], accepted.Reasons);
        // The optimizer sees the newest sample of each series it watches, per committed write of its host.
        for (var i = 0; i <= 10; i++)
            await host.Ask<AppendResult>(new AppendSamples("web-1", series, [T0 + i * 30_000, T0 + i * 30_000], [85, 99], 0, 2, i));
        await AwaitAssertAsync(async () =>
            Assert.Equal("scale_up", Assert.Single((await host.Ask<RecommendationsView>(new GetRecommendations("web-1"))).Current).Action));
        Watch(host);
        host.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(host);

        var view = await StartHost().Ask<RecommendationsView>(new GetRecommendations("web-1"));

        Assert.Equal(3, view.Instances);
        Assert.True(view.PolicyOverridden);
        Assert.Equal(5, view.Policy.MaxInstances);
        var up = Assert.Single(view.Current);
        Assert.Equal(T0 + 300_000, up.AtMs);
    }

    [Fact]
    public async Task A_policy_that_crosses_the_hosts_other_bound_is_rejected()
    {
        var rejected = await StartHost().Ask<PolicyRejected>(new SetPolicy("web-1", "scaling", new PolicyChange(ScaleDownThreshold: 75)));

        Assert.Equal("parameters.scale_down_threshold", rejected.Field);
    }

    void IDisposable.Dispose() => _db.Dispose();
}
