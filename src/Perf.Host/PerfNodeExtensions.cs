using Akka;
using Akka.Actor;
using Akka.Cluster;
using ClusterSettings = Perf.Actors.Configuration.ClusterSettings;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.Extensions.DependencyInjection;
using Perf.Actors;
using Perf.Actors.Alerts;
using Perf.Actors.Analysis;
using Perf.Actors.Notifications;
using Perf.Host.Backup;
using Perf.Host.Membership;
using Perf.Host.Notifications;
using Perf.Host.SelfMonitoring;
using Akka.Streams.Dsl;
using Akka.Event;
using Perf.Actors.Configuration;
using Perf.Actors.Optimization;
using Perf.Actors.Hosts;
using Perf.Actors.Ingestion;
using Perf.Actors.Reports;
using Perf.Actors.Security;
using Perf.Actors.Telemetry;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Storage;
using Perf.Storage.Chunks;
using Perf.Storage.Hosts;
using Perf.Storage.Reports;

namespace Perf.Host;

/// <summary>Composition of a Perf node with Akka.Hosting.</summary>
public static class PerfNodeExtensions
{
    public const string ActorSystemName = "perf";

    /// <summary>
    /// A Perf node. Embedded (roles worker and api, no seed nodes; the default): a one-member Akka cluster hosting the
    /// host shards (each host owns its series), the singletons, the host log, snapshots and chunks in
    /// <c>{data_dir}/perf.db</c>, and the ingestion pipeline. In a cluster, workers host the shards and singletons on
    /// PostgreSQL and api nodes reach them through proxies (<c>perf.cluster.roles</c>, <c>perf.storage.provider</c>).
    /// </summary>
    public static IServiceCollection AddPerfNode(this IServiceCollection services, Config config, PerfSettings settings)
    {
        // Held until the process exits: `perf restore` must not replace the database under a running node.
        var directoryLock = DataDirectoryLock.Acquire(settings.Engine.DataDirectory);
        var engine = settings.Engine;
        var storage = PerfStorage.Open(engine.DataDirectory, engine.StorageProvider, engine.PostgresConnectionString, engine.SqliteSynchronous);
        services.AddSingleton(directoryLock);
        services.AddSingleton(settings);
        services.AddSingleton(storage);
        services.AddSingleton(storage.Hosts);
        services.AddSingleton<IChunkStore>(storage.Hosts.Chunks);
        services.AddSingleton(new ReportStore(storage.Database));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new AlertRuleRegistry(settings.Alerts.DefaultRules));
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton(provider => new AuditLog(provider.GetRequiredService<ActorSystem>()));
        services.AddSingleton(provider => new AlertLog(provider.GetRequiredService<ActorSystem>()));
        services.AddSingleton(provider => new AlertIndex(provider.GetRequiredService<AlertLog>()));
        services.AddSingleton(_ => NotificationChannels.Create(ActiveChannels(config, settings), NotificationHttp()));
        var disk = new DiskGauge(settings.Engine.DataDirectory, settings.SelfMonitoring.DiskQuotaBytes);
        services.AddSingleton(disk);
        services.AddSingleton(new StorageReserve(disk, settings.Engine.MinFreeSpaceBytes, applies: storage.Provider == StorageProvider.Sqlite));
        services.AddSingleton<PerfEngine>();
        if (settings.SelfMonitoring.Enabled) services.AddHostedService<SelfMonitor>();
        services.AddSingleton(provider => EngineBackupVerifier.For(
            (PerfSerializer)provider.GetRequiredService<ActorSystem>().Serialization.FindSerializerForType(typeof(IPerfMessage))));
        services.AddSingleton<DatabaseBackups>();
        services.AddAkka(ActorSystemName, (builder, provider) => builder.ConfigurePerfNode(config, settings, storage, provider));
        return services;
    }

    /// <summary>
    /// The channels <c>monitoring.alerts.channels</c> lists that <c>perf.notifications.channels</c> defines; none when
    /// alerts are disabled. (A listed name without a definition is reported by the notifications endpoint.)
    /// </summary>
    public static IReadOnlyList<NotificationChannelSettings> ActiveChannels(Config config, PerfSettings settings)
    {
        if (!settings.Notifications.Enabled) return [];
        var defined = NotificationChannelSettings.ReadAll(new ConfigReader(config));
        return defined.Where(c => settings.Notifications.Channels.Contains(c.Name)).ToArray();
    }

    /// <summary>One client for every HTTP channel, recycling connections so DNS changes of a receiver are picked up.</summary>
    private static HttpClient NotificationHttp() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    public static AkkaConfigurationBuilder ConfigurePerfNode(
        this AkkaConfigurationBuilder builder, Config config, PerfSettings settings, PerfStorage storage, IServiceProvider provider)
    {
        var engine = settings.Engine;
        var clock = provider.GetRequiredService<TimeProvider>();
        var alerting = new SeriesAlerting(provider.GetRequiredService<AlertRuleRegistry>(), settings.Alerts.Flapping,
            new NoDataSettings(settings.Performance.CollectionInterval, engine.Series.PassivateAfter));
        var sqlOptions = storage.Provider == StorageProvider.PostgreSql
            ? new DataOptions().UseConnectionString(ProviderName.PostgreSQL15, storage.ConnectionString)
            : new DataOptions()
                .UseConnectionString(ProviderName.SQLiteMS, storage.ConnectionString)
                .UseAfterConnectionOpened(storage.ConfigureConnection, storage.ConfigureConnectionAsync);
        builder
            .AddHocon(config, HoconAddMode.Prepend)
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {(long)engine.Cluster.DownUnreachableAfter.TotalMilliseconds}ms", HoconAddMode.Prepend)
            .ConfigureLoggers(loggers => loggers.AddLoggerFactory())
            .WithCustomSerializer("perf", [typeof(IPerfMessage)], system => new PerfSerializer(system))
            .WithRemoting(engine.Cluster.Hostname, engine.Cluster.Port)
            .WithClustering(new ClusterOptions { Roles = [.. engine.Cluster.Roles], SeedNodes = [.. engine.Cluster.SeedNodes] })
            .WithSqlPersistence(sqlOptions, autoInitialize: true)
            .WithDistributedPubSub(""); // all roles: every node keeps its rule and key registries current
        if (engine.Cluster.IsWorker) builder.WithWorker(settings, provider, alerting, clock);
        else builder.WithApiProxies(engine);
        return builder
            // After the shard regions (or their proxies): the analysis actor asks the hosts about their series.
            .WithActors((system, registry) =>
            {
                system.ActorOf(BookSubscriber<AlertRuleBookQueries.RuleBookView>.Props(registry.Get<AlertRuleBookKey>(), AlertRuleBook.Topic,
                    AlertRuleBookQueries.GetRules.Instance, view =>
                    {
                        if (alerting.Rules.Use(view)) system.Log.Info("Alert rules version {0}: {1} rules", view.Version, view.Rules.Length);
                    }), "alert-rule-subscriber");
                var keys = provider.GetRequiredService<ApiKeyRegistry>();
                system.ActorOf(BookSubscriber<KeyBookQueries.KeyBookView>.Props(registry.Get<KeyBookKey>(), KeyBook.Topic,
                    KeyBookQueries.GetKeys.Instance, keys.Use), "key-book-subscriber");
                system.ActorOf(NodeStatsActor.Props(), NodeStatsActor.Name);
                system.ActorOf(CrashedMemberDowning.Props(), CrashedMemberDowning.Name);
                registry.Register<AnalysisKey>(system.ActorOf(AnalysisActor.Props(registry.Get<HostRegion>(), registry.Get<HostRegion>(), settings), "analysis"));
            })
            .AddStartup((system, _) =>
            {
                // Without seed nodes the node is a cluster of one: it joins itself.
                var cluster = Cluster.Get(system);
                if (engine.Cluster.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress);
                // After the shards have handed their hosts off (each snapshotted), before the database closes: the host log
                // records how much of it the next start need not read.
                if (engine.Cluster.IsWorker)
                    CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "host-log-stopping", async () =>
                    {
                        await storage.Hosts.Log.StoppingAsync();
                        return Done.Instance;
                    });
                // The gauges that need the node (exported at /metrics whether or not self-monitoring is on).
                PerfMetrics.ObserveNode(() => SelfMonitor.Members(cluster), provider.GetRequiredService<DiskGauge>().Read);
                var missing = settings.Notifications.Channels.Except(ActiveChannels(config, settings).Select(c => c.Name)).ToArray();
                if (engine.Cluster.IsWorker && settings.Notifications.Enabled && missing.Length > 0)
                    system.Log.Warning("monitoring.alerts.channels lists {0} without a definition under perf.notifications.channels: not notified",
                        string.Join(", ", missing));
            });
    }

    /// <summary>What a worker hosts: the host shards and every singleton (on the workers only).</summary>
    private static AkkaConfigurationBuilder WithWorker(this AkkaConfigurationBuilder builder, PerfSettings settings, IServiceProvider provider,
        SeriesAlerting alerting, TimeProvider clock)
    {
        var engine = settings.Engine;
        var hosts = provider.GetRequiredService<HostStorage>();
        var hostSettings = HostSettings.From(engine);
        var workers = new ClusterSingletonOptions { Role = ClusterSettings.WorkerRole };
        return builder
            .WithSingleton<HostDirectory>("host-directory", HostDirectoryActor.Props(), workers)
            .WithSingleton<AlertRuleBookKey>("alert-rules", AlertRuleBook.Props(settings.Alerts.DefaultRules), workers)
            .WithSingleton<SilenceBookKey>("silences", SilenceBook.Props(), workers)
            .WithSingleton<KeyBookKey>("api-keys", KeyBook.Props(createFirstAdminKey: settings.Security.AdminKey is null, clock), workers)
            .WithSingleton<AuditTrailKey>("audit", AuditTrail.Props(), workers)
            .WithSingleton<NotificationDispatcherKey>("notification-dispatcher", (system, registry, _) =>
                {
                    // The node's alert log: the dispatcher follows the same live query as the node's stream clients.
                    var log = provider.GetRequiredService<AlertLog>();
                    return NotificationDispatcher.Props(settings.Notifications.Policy, provider.GetRequiredService<IReadOnlyList<INotificationChannel>>(),
                        offset => log.Follow(offset).Select(e => (e.Offset, e.Transition)), registry.Get<SilenceBookKey>(), clock);
                },
                workers)
            // Every host owns its series: series messages ({host}/{metric}) are routed by their host too.
            .WithShardRegion<HostRegion>("host",
                (_, registry) => host => HostActor.Props(host, hostSettings, hosts, registry.Get<HostDirectory>(), alerting,
                    (OptimizationPolicy.From(settings.Optimization), engine.Optimizer), clock),
                new PerfMessageExtractor(engine.Cluster.Shards),
                new ShardOptions
                {
                    Role = ClusterSettings.WorkerRole, RememberEntities = false, PassivateIdleEntityAfter = engine.Series.PassivateAfter,
                    HandOffStopMessage = HostCommands.StopHost.Instance,
                })
            // After the shard regions: report workers ask the hosts about their series. On the default journal, one small event per job change.
            .WithSingleton<ReportJobsKey>("reports", (_, registry, _) => ReportJobs.Props(registry.Get<HostRegion>(), settings, clock,
                    provider.GetRequiredService<ReportStore>(),
                    new ReportContextSources(registry.Get<HostRegion>(),
                        async token => (await provider.GetRequiredService<AlertLog>().ReadAsync(0, token)).Select(e => e.Transition).ToArray())),
                workers)
            .WithLoadTests(settings, clock, workers, provider);
    }

    /// <summary>What a thin api node has instead: proxies to the workers' shards and singletons, and no entity of its own.</summary>
    private static AkkaConfigurationBuilder WithApiProxies(this AkkaConfigurationBuilder builder, EngineSettings engine)
    {
        var workers = new ClusterSingletonOptions { Role = ClusterSettings.WorkerRole };
        return builder
            .WithShardRegionProxy<HostRegion>("host", ClusterSettings.WorkerRole, new PerfMessageExtractor(engine.Cluster.Shards))
            .WithSingletonProxy<HostDirectory>("host-directory", workers)
            .WithSingletonProxy<AlertRuleBookKey>("alert-rules", workers)
            .WithSingletonProxy<SilenceBookKey>("silences", workers)
            .WithSingletonProxy<KeyBookKey>("api-keys", workers)
            .WithSingletonProxy<AuditTrailKey>("audit", workers)
            .WithSingletonProxy<NotificationDispatcherKey>("notification-dispatcher", workers)
            .WithSingletonProxy<ReportJobsKey>("reports", workers)
            .WithSingletonProxy<LoadTestsKey>("loadtests", workers);
    }
}
