using System.Data.Common;
using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;

namespace Perf.Host;

/// <summary>The node's embedded database: one SQLite file holding the journal, snapshots and the chunk table.</summary>
public sealed class PerfStorage
{
    private PerfStorage(string dataDirectory, string databasePath, string synchronous)
    {
        Synchronous = synchronous is "normal" or "full" ? synchronous : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full");
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
        storage.CreateJournalSchema();
        return storage;
    }

    private string Pragmas => SqliteWriter.ConnectionPragmas(Synchronous);

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

    /// <summary>
    /// The journal, snapshot and tag tables of Akka.Persistence.Sql, created here (its auto-initialisation skips existing
    /// tables) so that they get the indexes its SQLite schema lacks: without an index on (persistence_id, sequence_number)
    /// every recovery, replay and journal deletion scans the whole journal, which is what made per-entity recovery take
    /// milliseconds each and stalled ingestion whenever series took snapshots.
    /// </summary>
    private void CreateJournalSchema()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS [journal] (
                [ordering]        INTEGER       NOT NULL PRIMARY KEY AUTOINCREMENT,
                [created]         INTEGER       NOT NULL,
                [deleted]         Bit           NOT NULL,
                [persistence_id]  NVarChar(255) NOT NULL,
                [sequence_number] INTEGER       NOT NULL,
                [message]         VarBinary     NOT NULL,
                [manifest]        NVarChar(500)     NULL,
                [identifier]      INTEGER           NULL,
                [writer_uuid]     NVarChar(128)     NULL
            );
            CREATE UNIQUE INDEX IF NOT EXISTS journal_persistence_id_sequence_number ON [journal] ([persistence_id], [sequence_number]);
            CREATE TABLE IF NOT EXISTS [snapshot] (
                [persistence_id]  NVarChar(255) NOT NULL,
                [sequence_number] INTEGER       NOT NULL,
                [created]         INTEGER       NOT NULL,
                [snapshot]        VarBinary         NULL,
                [manifest]        NVarChar(500)     NULL,
                [serializer_id]   INTEGER           NULL,
                CONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])
            );
            CREATE TABLE IF NOT EXISTS [tags] (
                [ordering_id]    INTEGER       NOT NULL,
                [tag]            NVarChar(64)  NOT NULL,
                [sequence_nr]    INTEGER       NOT NULL,
                [persistence_id] NVarChar(255) NOT NULL,
                CONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])
            );
            CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr ON [tags] ([persistence_id], [sequence_nr]);
            CREATE INDEX IF NOT EXISTS tags_tag_ordering_id ON [tags] ([tag], [ordering_id]);
            """;
        command.ExecuteNonQuery();
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
