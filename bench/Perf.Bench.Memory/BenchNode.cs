using System.Collections;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using Perf.Host;

namespace Perf.Bench.Memory;

public sealed class BenchRegion;

/// <summary>
/// An embedded node composed exactly as <see cref="PerfNodeExtensions.AddPerfNode"/> does (same HOCON, same
/// ConfigurePerfNode), plus one extra shard region "bench" with the series region's shard options whose entities are one
/// of the probe kinds, so every kind lives in the same kind of process.
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchNode(IHost host, string dataDir, PerfSettings settings)
    {
        _host = host;
        DataDir = dataDir;
        Settings = settings;
        System = host.Services.GetRequiredService<ActorSystem>();
        Series = host.Services.GetRequiredService<IRequiredActor<SeriesRegion>>().ActorRef;
        Bench = host.Services.GetRequiredService<IRequiredActor<BenchRegion>>().ActorRef;
        Engine = host.Services.GetRequiredService<PerfEngine>();
    }

    public string DataDir { get; }
    public PerfSettings Settings { get; }
    public ActorSystem System { get; }
    public IActorRef Series { get; }
    public IActorRef Bench { get; }
    public PerfEngine Engine { get; }

    /// <param name="benchKind">entity kind of the "bench" region: sharded (PlainActor), sharded-untyped, persistent, lean-series.</param>
    /// <param name="extraHocon">HOCON put in front of everything (Akka knobs under test).</param>
    public static async Task<BenchNode> StartAsync(string benchKind, string extraHocon, IDictionary<string, string> overrides)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-bench-memory", Guid.NewGuid().ToString("N"));
        var environment = new Hashtable();
        foreach (var (k, v) in overrides) environment[k] = v;
        var hocon = Path.Combine(AppContext.BaseDirectory, "hocon");
        var (config, settings) = PerfConfiguration.Load(dataDir, environment, hocon);

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder([]);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // Same registrations as PerfNodeExtensions.AddPerfNode, with one extra region.
        var services = builder.Services;
        var storage = PerfStorage.Open(settings.Engine.DataDirectory, settings.Engine.SqliteSynchronous);
        services.AddSingleton(settings);
        services.AddSingleton(storage);
        services.AddSingleton<IChunkStore>(_ => new SqliteChunkStore(storage.ConnectionString, storage.Synchronous));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PerfEngine>();
        services.AddAkka(PerfNodeExtensions.ActorSystemName, (akka, provider) =>
        {
            akka.ConfigurePerfNode(config, settings, storage, provider);
            akka.AddHocon(BenchJournals.Hocon, HoconAddMode.Append);
            if (!string.IsNullOrWhiteSpace(extraHocon)) akka.AddHocon(ConfigurationFactory.ParseString(extraHocon), HoconAddMode.Prepend);
            var engine = settings.Engine;
            var chunks = provider.GetRequiredService<IChunkStore>();
            akka.WithShardRegion<BenchRegion>("bench",
                entityId => benchKind switch
                {
                    "lean-series" => LeanSeriesActor.Props(entityId, engine.Series, chunks, TimeProvider.System),
                    "sharded-untyped" => PlainUntypedActor.Props(entityId),
                    "persistent" => BarePersistentActor.Props(entityId),
                    _ => PlainActor.Props(entityId),
                },
                new PerfMessageExtractor(engine.Cluster.Shards),
                new ShardOptions { Role = "worker", RememberEntities = false, PassivateIdleEntityAfter = engine.Series.PassivateAfter });
        });

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
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
