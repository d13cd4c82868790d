using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;

namespace Perf.Host;

/// <summary>The node's embedded database: one SQLite file holding the journal, snapshots and the chunk table.</summary>
public sealed class PerfStorage
{
    private PerfStorage(string dataDirectory, string databasePath)
    {
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

    public static PerfStorage Open(string dataDirectory)
    {
        var full = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(full);
        var storage = new PerfStorage(full, Path.Combine(full, "perf.db"));
        SqliteChunkStore.Initialize(storage.ConnectionString);
        return storage;
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
