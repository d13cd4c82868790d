using System.Data.Common;
using Akka.Configuration;

namespace Perf.Actors.Storage;

/// <summary>
/// What the series journal and snapshot store share: the database named by their plugin configuration
/// (<c>provider</c>, <c>connection-string</c>, <c>synchronous</c>), a lease on its <see cref="DatabaseWriter"/>, and
/// read connections.
/// </summary>
public sealed class PluginDatabase : IDisposable
{
    private readonly DatabaseWriter.Lease _lease;

    public PluginDatabase(Config config, string pluginId)
    {
        var connectionString = config.GetString("connection-string") ?? throw new ConfigurationException($"{pluginId}.connection-string is required");
        Database = SeriesDatabase.ParseProvider(config.GetString("provider", "sqlite")) == StorageProvider.PostgreSql
            ? SeriesDatabase.PostgreSql(connectionString)
            : SeriesDatabase.Sqlite(connectionString, config.GetString("synchronous", "full"));
        Database.CreateSchema();
        _lease = DatabaseWriter.Acquire(Database);
    }

    public SeriesDatabase Database { get; }
    public DatabaseWriter Writer => _lease.Writer;

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) => Database.OpenAsync(cancellationToken);

    /// <summary>HOCON that registers the series journal and snapshot store on <paramref name="database"/>; series actors
    /// (and the notification dispatcher's snapshots) select them by plugin id.</summary>
    public static Config PluginConfig(SeriesDatabase database)
    {
        var cs = database.ConnectionString.Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($$"""
            {{SeriesJournal.PluginId}} {
              class = "{{typeof(SeriesJournal).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              provider = {{database.ProviderName}}
              connection-string = "{{cs}}"
              synchronous = {{database.Synchronous}}
              # Longer than perf.ingest.write_timeout: a write the journal gives up on must not commit behind the
              # actor's back, and a queued write always commits within the writer's next transactions.
              circuit-breaker.call-timeout = 60s
            }
            {{SeriesSnapshotStore.PluginId}} {
              class = "{{typeof(SeriesSnapshotStore).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
              provider = {{database.ProviderName}}
              connection-string = "{{cs}}"
              synchronous = {{database.Synchronous}}
              circuit-breaker.call-timeout = 60s
            }
            """);
    }

    public void Dispose() => _lease.Dispose();
}
