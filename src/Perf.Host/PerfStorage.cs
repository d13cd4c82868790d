using System.Data.Common;
using Perf.Storage;
using Perf.Storage.Hosts;
using Perf.Storage.Migration;

namespace Perf.Host;

/// <summary>
/// The node's database. Embedded (the default): one SQLite file, <c>{data_dir}/perf.db</c>, holding every table
/// (<see cref="StorageSchema"/>). Cluster: a PostgreSQL server shared by every worker (<c>perf.storage.provider</c>).
/// The data directory stays local either way (backups, the lock of a running node).
/// </summary>
public sealed class PerfStorage : IDisposable
{
    private PerfStorage(string dataDirectory, StorageDatabase database, string? databasePath, MigrationReport? migration)
    {
        DataDirectory = dataDirectory;
        Database = database;
        DatabasePath = databasePath;
        Migration = migration;
        Hosts = new HostStorage(database);
    }

    public string DataDirectory { get; }

    /// <summary>The database of every table.</summary>
    public StorageDatabase Database { get; }

    /// <summary>The host log, host snapshots and chunks.</summary>
    public HostStorage Hosts { get; }

    /// <summary>What opening the database moved from an earlier layout; null when there was nothing to move.</summary>
    public MigrationReport? Migration { get; }

    public StorageProvider Provider => Database.Provider;
    public string ConnectionString => Database.ConnectionString;

    /// <summary><c>PRAGMA synchronous</c> of every SQLite connection: "normal" or "full" (perf.storage.sqlite_synchronous).</summary>
    public string Synchronous => Database.Synchronous;

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? DatabasePath { get; }

    public static PerfStorage Open(string dataDirectory, string synchronous = "full") =>
        Open(dataDirectory, StorageProvider.Sqlite, null, synchronous);

    /// <summary>Opens (creating the tables, or moving an earlier layout into them) the node's database.</summary>
    public static PerfStorage Open(string dataDirectory, StorageProvider provider, string? postgresConnectionString, string synchronous = "full")
    {
        var full = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(full);
        if (provider == StorageProvider.PostgreSql)
        {
            var postgres = StorageDatabase.PostgreSql(postgresConnectionString ?? throw new ArgumentNullException(nameof(postgresConnectionString)));
            return new PerfStorage(full, postgres, null, postgres.CreateSchema());
        }
        var path = Path.Combine(full, "perf.db");
        var sqlite = StorageDatabase.SqliteFile(path, synchronous);
        return new PerfStorage(full, sqlite, path, sqlite.CreateSchema());
    }

    /// <summary>Applies the fsync policy to a SQLite connection Akka.Persistence.Sql just opened (a per-connection
    /// setting); nothing to do on PostgreSQL.</summary>
    public void ConfigureConnection(DbConnection connection)
    {
        if (Provider != StorageProvider.Sqlite) return;
        using var command = connection.CreateCommand();
        command.CommandText = StorageDatabase.SqlitePragmas(Synchronous);
        command.ExecuteNonQuery();
    }

    public async Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Provider != StorageProvider.Sqlite) return;
        await using var command = connection.CreateCommand();
        command.CommandText = StorageDatabase.SqlitePragmas(Synchronous);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the database answers a query (readiness).</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await Database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    public void Dispose() => Hosts.Dispose();
}
