using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Perf.Actors.Storage;

/// <summary>
/// The database of the series tables (journal, latest snapshots, chunks; and finished reports): which provider, how to connect, and the
/// schema in its dialect. Everything else about them is plain SQL that both providers read the same way (named
/// <c>@parameters</c>, <c>ON CONFLICT ... DO UPDATE</c>, savepoints).
/// </summary>
/// <param name="Synchronous">SQLite's <c>PRAGMA synchronous</c> ("normal" or "full"); PostgreSQL commits durably by itself.</param>
public sealed record SeriesDatabase(StorageProvider Provider, string ConnectionString, string Synchronous = "full")
{
    public static SeriesDatabase Sqlite(string connectionString, string synchronous = "full") =>
        new(StorageProvider.Sqlite, connectionString, synchronous is "normal" or "full"
            ? synchronous : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full"));

    public static SeriesDatabase PostgreSql(string connectionString) => new(StorageProvider.PostgreSql, connectionString);

    public static StorageProvider ParseProvider(string name) => name.ToLowerInvariant() switch
    {
        "sqlite" => StorageProvider.Sqlite,
        "postgresql" => StorageProvider.PostgreSql,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "sqlite or postgresql"),
    };

    public string ProviderName => Provider == StorageProvider.Sqlite ? "sqlite" : "postgresql";

    /// <summary>A connection with the node's per-connection settings.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Provider == StorageProvider.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (Provider == StorageProvider.Sqlite)
            {
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = SqlitePragmas(Synchronous);
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Per-connection settings of every connection to a SQLite database (ours and Akka.Persistence.Sql's).
    /// SQLite's own busy handler waits in steps of a few milliseconds when another connection holds the write lock;
    /// without it the driver's retry loop sleeps far longer between attempts and writes stall in bursts.
    /// </summary>
    public static string SqlitePragmas(string synchronous) => synchronous is "normal" or "full"
        ? $"PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 30000;"
        : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full");

    /// <summary>Creates the series tables when missing (and, on SQLite, switches the file to WAL so readers run beside the writer).</summary>
    public void CreateSchema()
    {
        using var connection = OpenAsync().GetAwaiter().GetResult();
        using var command = connection.CreateCommand();
        if (Provider == StorageProvider.Sqlite) UpgradeSqliteTables(command);
        command.CommandText = Provider == StorageProvider.Sqlite ? SqliteSchema : PostgreSqlSchema;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// A file written by an earlier version: its journal rows, keyed by (persistence id, sequence number), move into the
    /// log, each series' in sequence order; its chunk table gets the fence column. Checked inside the write lock, so nodes
    /// starting at once upgrade it once.
    /// </summary>
    private static void UpgradeSqliteTables(DbCommand command)
    {
        command.CommandText = "BEGIN IMMEDIATE";
        command.ExecuteNonQuery();
        try
        {
            command.CommandText = "SELECT coalesce(sum(name = 'persistence_id'), 0) - coalesce(sum(name = 'position'), 0) FROM pragma_table_info('series_journal')";
            if (Convert.ToInt64(command.ExecuteScalar()) == 1)
            {
                command.CommandText = SqliteKeyedJournalToLog;
                command.ExecuteNonQuery();
            }
            command.CommandText = "SELECT coalesce(sum(name = 'series_id'), 0) - coalesce(sum(name = 'fence'), 0) FROM pragma_table_info('series_chunks')";
            if (Convert.ToInt64(command.ExecuteScalar()) == 1)
            {
                command.CommandText = "ALTER TABLE series_chunks ADD COLUMN fence INTEGER NOT NULL DEFAULT 0";
                command.ExecuteNonQuery();
            }
            command.CommandText = "COMMIT";
            command.ExecuteNonQuery();
        }
        catch
        {
            command.CommandText = "ROLLBACK";
            command.ExecuteNonQuery();
            throw;
        }
    }

    private const string SqliteKeyedJournalToLog = $"""
        ALTER TABLE series_journal RENAME TO series_journal_keyed;
        {SqliteJournalTable}
        INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload)
          SELECT persistence_id, sequence_nr, serializer_id, manifest, payload FROM series_journal_keyed ORDER BY persistence_id, sequence_nr;
        DROP TABLE series_journal_keyed;
        """;

    // The journal is an append-only log (see JournalLog): its rows are keyed by position only, and where each series'
    // rows lie is indexed in memory.
    private const string SqliteJournalTable = """
        CREATE TABLE IF NOT EXISTS series_journal (
            position       INTEGER PRIMARY KEY,
            persistence_id TEXT    NOT NULL,
            sequence_nr    INTEGER NOT NULL,
            serializer_id  INTEGER NOT NULL,
            manifest       TEXT    NOT NULL,
            payload        BLOB    NOT NULL
        );
        """;

    private const string SqliteSchema = $"""
        PRAGMA journal_mode = WAL;
        {SqliteJournalTable}
        -- Every journal row below this position is dead (JournalLog): the start-up scan begins here.
        CREATE TABLE IF NOT EXISTS series_journal_cut (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            below INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS series_snapshot (
            persistence_id TEXT    NOT NULL PRIMARY KEY,
            sequence_nr    INTEGER NOT NULL,
            created_ticks  INTEGER NOT NULL,
            serializer_id  INTEGER NOT NULL,
            manifest       TEXT    NOT NULL,
            payload        BLOB    NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS series_chunks (
            series_id   TEXT    NOT NULL,
            sequence    INTEGER NOT NULL,
            first_ms    INTEGER NOT NULL,
            last_ms     INTEGER NOT NULL,
            point_count INTEGER NOT NULL,
            data        BLOB    NOT NULL,
            fence       INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (series_id, sequence)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS series_chunks_by_last ON series_chunks (series_id, last_ms);
        CREATE TABLE IF NOT EXISTS report_files (
            id      TEXT NOT NULL PRIMARY KEY,
            format  TEXT NOT NULL,
            content BLOB NOT NULL
        ) WITHOUT ROWID;
        """;

    // Several nodes may start at once against an empty database: the advisory lock makes them create the tables one
    // after the other instead of failing on each other's half-made catalog entries.
    private const string PostgreSqlSchema = """
        BEGIN;
        SELECT pg_advisory_xact_lock(4717);
        CREATE TABLE IF NOT EXISTS series_journal (
            persistence_id TEXT    NOT NULL,
            sequence_nr    BIGINT  NOT NULL,
            serializer_id  INTEGER NOT NULL,
            manifest       TEXT    NOT NULL,
            payload        BYTEA   NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr)
        );
        CREATE TABLE IF NOT EXISTS series_snapshot (
            persistence_id TEXT    NOT NULL PRIMARY KEY,
            sequence_nr    BIGINT  NOT NULL,
            created_ticks  BIGINT  NOT NULL,
            serializer_id  INTEGER NOT NULL,
            manifest       TEXT    NOT NULL,
            payload        BYTEA   NOT NULL
        );
        CREATE TABLE IF NOT EXISTS series_chunks (
            series_id   TEXT    NOT NULL,
            sequence    BIGINT  NOT NULL,
            first_ms    BIGINT  NOT NULL,
            last_ms     BIGINT  NOT NULL,
            point_count INTEGER NOT NULL,
            data        BYTEA   NOT NULL,
            fence       BIGINT  NOT NULL DEFAULT 0,
            PRIMARY KEY (series_id, sequence)
        );
        ALTER TABLE series_chunks ADD COLUMN IF NOT EXISTS fence BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS series_chunks_by_last ON series_chunks (series_id, last_ms);
        CREATE TABLE IF NOT EXISTS report_files (
            id      TEXT  NOT NULL PRIMARY KEY,
            format  TEXT  NOT NULL,
            content BYTEA NOT NULL
        );
        COMMIT;
        """;
}
