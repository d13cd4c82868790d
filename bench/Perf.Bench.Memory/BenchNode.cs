using System.Collections;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Host;

namespace Perf.Bench.Memory;

/// <summary>
/// An embedded Perf node: the product's configuration (<see cref="PerfConfiguration.Load"/> of the shipped hocon/ files, so
/// the mailboxes, journal and snapshot plugins are the product's) and the product's composition
/// (<see cref="PerfNodeExtensions.AddPerfNode"/>), in a temporary data directory. The probe kinds, which are not series,
/// get one extra shard region "bench" with the series region's shard options, started once the node is up.
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchNode(IHost host, string dataDir, PerfSettings settings)
    {
        _host = host;
        DataDir = dataDir;
        Settings = settings;
        Engine = host.Services.GetRequiredService<PerfEngine>();
        System = Engine.System;
        Series = Engine.Series;
    }

    public string DataDir { get; }
    public PerfSettings Settings { get; }
    public ActorSystem System { get; }
    public PerfEngine Engine { get; }
    public IActorRef Series { get; }

    /// <summary>The "bench" region, when the node was started with a probe entity.</summary>
    public IActorRef Bench { get; private set; } = ActorRefs.Nobody;

    /// <param name="probeEntity">entity props of the "bench" region (null: no such region).</param>
    /// <param name="extraHocon">HOCON in front of the product's (Akka knobs under test; empty for a plain product node).</param>
    /// <param name="overrides">PERF_SECTION__KEY overrides, as the product reads them from its environment.</param>
    public static async Task<BenchNode> StartAsync(Func<string, Props>? probeEntity, string extraHocon, IDictionary<string, string> overrides)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-bench-memory", Guid.NewGuid().ToString("N"));
        var environment = new Hashtable();
        foreach (var (k, v) in overrides) environment[k] = v;
        var (config, settings) = PerfConfiguration.Load(dataDir, environment, Path.Combine(AppContext.BaseDirectory, "hocon"));
        config = config.WithFallback(BenchJournals.Hocon);
        if (!string.IsNullOrWhiteSpace(extraHocon)) config = ConfigurationFactory.ParseString(extraHocon).WithFallback(config);

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder([]);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPerfNode(config, settings);

        var host = builder.Build();
        await host.StartAsync();
        var node = new BenchNode(host, dataDir, settings);
        var cluster = Cluster.Get(node.System);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster.SelfMember.Status != MemberStatus.Up)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("cluster did not come up");
            await Task.Delay(50);
        }
        if (probeEntity is not null)
        {
            // The series region's ShardOptions (PerfNodeExtensions.ConfigurePerfNode) as settings.
            var engine = settings.Engine;
            var shardSettings = ClusterShardingSettings.Create(node.System)
                .WithRole("worker")
                .WithRememberEntities(false)
                .WithPassivateIdleAfter(engine.Series.PassivateAfter);
            node.Bench = await ClusterSharding.Get(node.System)
                .StartAsync("bench", probeEntity, shardSettings, new PerfMessageExtractor(engine.Cluster.Shards));
        }
        return node;
    }

    /// <summary>The class behind the deque-based mailbox that persistent actors get (hocon/akka.conf), as the node resolved it.</summary>
    public string DequeMailboxType => System.Settings.Config.GetString("akka.actor.mailbox.unbounded-deque-based.mailbox-type");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
