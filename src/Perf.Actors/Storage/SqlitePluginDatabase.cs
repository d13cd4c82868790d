using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace Perf.Actors.Storage;

/// <summary>
/// What the series journal and snapshot store share: the database named by their plugin configuration
/// (<c>connection-string</c>, <c>synchronous</c>), a lease on its <see cref="SqliteWriter"/>, and read connections.
/// </summary>
public sealed class SqlitePluginDatabase : IDisposable
{
    private readonly SqliteWriter.Lease _lease;

    public SqlitePluginDatabase(Config config, string pluginId, Action<string> initialize)
    {
        ConnectionString = config.GetString("connection-string") ?? throw new ConfigurationException($"{pluginId}.connection-string is required");
        Synchronous = config.GetString("synchronous", "full");
        initialize(ConnectionString);
        _lease = SqliteWriter.Acquire(ConnectionString, Synchronous);
    }

    public string ConnectionString { get; }
    public string Synchronous { get; }
    public SqliteWriter Writer => _lease.Writer;

    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        SqliteWriter.OpenAsync(ConnectionString, Synchronous, cancellationToken);

    public void Dispose() => _lease.Dispose();
}
