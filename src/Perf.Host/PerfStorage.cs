using System.Data.Common;
using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;

namespace Perf.Host;

/// <summary>The node's embedded database: one SQLite file holding the journal, snapshots and the chunk table.</summary>
public sealed class PerfStorage
{
    private PerfStorage(string dataDirectory, string databasePath, string synchronous)
    {
        Synchronous = synchronous;
        DataDirectory = dataDirectory;
        DatabasePath = databasePath;
        // Pooling keeps connections open between the journal's many small writes; the busy timeout (seconds) covers the
        // moments when the journal, snapshot store and chunk writer want the write lock together.
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DataDirectory { get; }
    public string DatabasePath { get; }
    public string ConnectionString { get; }

    /// <summary><c>PRAGMA synchronous</c> of every connection: "normal" or "full" (perf.storage.sqlite_synchronous).</summary>
    public string Synchronous { get; }

    public static PerfStorage Open(string dataDirectory, string synchronous = "full")
    {
        var full = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(full);
        var storage = new PerfStorage(full, Path.Combine(full, "perf.db"), synchronous);
        SqliteChunkStore.Initialize(storage.ConnectionString);
        return storage;
    }

    /// <summary>
    /// Per-connection settings. SQLite's own busy handler waits in steps of a few milliseconds when another connection holds
    /// the write lock; without it the driver's retry loop sleeps far longer between attempts and writes stall in bursts.
    /// </summary>
    private string Pragmas => $"PRAGMA synchronous = {Synchronous}; PRAGMA busy_timeout = 30000;";

    /// <summary>Applies the fsync policy to a connection the journal or snapshot store just opened (a per-connection setting).</summary>
    public void ConfigureConnection(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public async Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether the database answers a query (readiness).</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }
}
