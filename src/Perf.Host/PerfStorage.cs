using System.Data.Common;
using Microsoft.Data.Sqlite;
using Perf.Actors.Storage;

namespace Perf.Host;

/// <summary>
/// The node's database. Embedded (the default): one SQLite file, <c>{data_dir}/perf.db</c>, holding the journal,
/// snapshots and the chunk table. Cluster: a PostgreSQL server shared by every worker (<c>perf.storage.provider</c>).
/// The data directory stays local either way (reports, backups, the lock of a running node).
/// </summary>
public sealed class PerfStorage
{
    private PerfStorage(string dataDirectory, SeriesDatabase series, string? databasePath)
    {
        DataDirectory = dataDirectory;
        Series = series;
        DatabasePath = databasePath;
    }

    public string DataDirectory { get; }

    /// <summary>The series tables' database, and the provider and connection of every other table too.</summary>
    public SeriesDatabase Series { get; }

    public StorageProvider Provider => Series.Provider;
    public string ConnectionString => Series.ConnectionString;

    /// <summary><c>PRAGMA synchronous</c> of every SQLite connection: "normal" or "full" (perf.storage.sqlite_synchronous).</summary>
    public string Synchronous => Series.Synchronous;

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? DatabasePath { get; }

    public static PerfStorage Open(string dataDirectory, string synchronous = "full") =>
        Open(dataDirectory, StorageProvider.Sqlite, null, synchronous);

    public static PerfStorage Open(string dataDirectory, StorageProvider provider, string? postgresConnectionString, string synchronous = "full")
    {
        var full = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(full);
        if (provider == StorageProvider.PostgreSql)
        {
            var postgres = new PerfStorage(full, SeriesDatabase.PostgreSql(postgresConnectionString
                ?? throw new ArgumentNullException(nameof(postgresConnectionString))), null);
            postgres.Series.CreateSchema();
            postgres.CreatePostgresJournalSchema();
            return postgres;
        }
        var path = Path.Combine(full, "perf.db");
        // Pooling keeps connections open between the journal's many small writes; the busy timeout (seconds) covers the
        // moments when the journal, snapshot store and chunk writer want the write lock together.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        var storage = new PerfStorage(full, SeriesDatabase.Sqlite(connectionString, synchronous), path);
        storage.Series.CreateSchema();
        storage.CreateJournalSchema();
        return storage;
    }

    private string Pragmas => SeriesDatabase.SqlitePragmas(Synchronous);

    /// <summary>Applies the fsync policy to a SQLite connection Akka.Persistence.Sql just opened (a per-connection
    /// setting); nothing to do on PostgreSQL.</summary>
    public void ConfigureConnection(DbConnection connection)
    {
        if (Provider != StorageProvider.Sqlite) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public async Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Provider != StorageProvider.Sqlite) return;
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

    /// <summary>
    /// Akka.Persistence.Sql's tables on PostgreSQL, as its own initialisation makes them, plus the indexes it lacks — made
    /// here under an advisory lock, because every node of a cluster starting at once against an empty database would
    /// otherwise race to create them (PostgreSQL fails the loser of two concurrent CREATE TABLEs of one name).
    /// </summary>
    private void CreatePostgresJournalSchema()
    {
        using var connection = Series.OpenAsync().GetAwaiter().GetResult();
        using var command = connection.CreateCommand();
        command.CommandText = """
            BEGIN;
            SELECT pg_advisory_xact_lock(4718);
            CREATE TABLE IF NOT EXISTS journal (
                ordering        BIGINT  GENERATED ALWAYS AS IDENTITY CONSTRAINT "PK_journal" PRIMARY KEY,
                created         BIGINT  NOT NULL,
                deleted         BOOLEAN NOT NULL,
                persistence_id  TEXT    NOT NULL,
                sequence_number BIGINT  NOT NULL,
                message         BYTEA   NOT NULL,
                manifest        TEXT,
                identifier      INTEGER,
                writer_uuid     TEXT
            );
            CREATE UNIQUE INDEX IF NOT EXISTS journal_persistence_id_sequence_number ON journal (persistence_id, sequence_number);
            CREATE TABLE IF NOT EXISTS snapshot (
                persistence_id  TEXT   NOT NULL,
                sequence_number BIGINT NOT NULL,
                created         BIGINT NOT NULL,
                snapshot        BYTEA,
                manifest        TEXT,
                serializer_id   INTEGER,
                CONSTRAINT "PK_snapshot" PRIMARY KEY (persistence_id, sequence_number)
            );
            CREATE TABLE IF NOT EXISTS tags (
                ordering_id    BIGINT NOT NULL,
                tag            TEXT   NOT NULL,
                sequence_nr    BIGINT NOT NULL,
                persistence_id TEXT   NOT NULL,
                CONSTRAINT "PK_tags" PRIMARY KEY (ordering_id, tag)
            );
            CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr ON tags (persistence_id, sequence_nr);
            CREATE INDEX IF NOT EXISTS tags_tag_ordering_id ON tags (tag, ordering_id);
            COMMIT;
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Whether the database answers a query (readiness).</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await Series.OpenAsync(cancellationToken);
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
}
