using System.Data.Common;
using Perf.Storage.Migration;

namespace Perf.Storage;

/// <summary>
/// Every table of a node's database, in both dialects, and the moves from earlier layouts. The tables:
/// <list type="table">
/// <item><term><c>host_log</c></term><description>one row per write of a host (<c>Hosts.HostRecordWriter</c> has the
/// payload's layout). SQLite: an append-only log keyed by <c>position</c>, indexed in memory (<c>Hosts.SqliteHostLog</c>);
/// PostgreSQL: keyed by (host, sequence_nr).</description></item>
/// <item><term><c>host_log_cut</c></term><description>SQLite: the position below which every log row is dead.</description></item>
/// <item><term><c>host_snapshots</c></term><description>the latest snapshot of each host (<c>Hosts.HostSnapshotCodec</c>).</description></item>
/// <item><term><c>series_chunks</c></term><description>sealed Gorilla chunks of each series (<c>{host}/{metric}</c>).</description></item>
/// <item><term><c>report_files</c></term><description>finished reports.</description></item>
/// <item><term><c>journal</c>, <c>tags</c>, <c>snapshot</c></term><description>Akka.Persistence.Sql's tables (its layout)
/// for the other persistent actors: alerts, rule, silence and key books, the audit trail, report jobs, optimizers,
/// the host directory, the notification dispatcher. Made here so they get the indexes its own schema lacks.</description></item>
/// <item><term><c>storage_meta</c></term><description>the layout version.</description></item>
/// </list>
/// </summary>
public static class StorageSchema
{
    /// <summary>The layout this version writes: 2 = hosts own their series (1 was a journal per series).</summary>
    public const int LayoutVersion = 2;

    /// <summary>Creates what is missing and migrates an earlier layout, in one transaction.</summary>
    public static MigrationReport? Create(DbConnection connection, StorageProvider provider)
    {
        using var command = connection.CreateCommand();
        if (provider == StorageProvider.Sqlite)
        {
            // WAL lets readers run beside the writer; it cannot be switched inside a transaction.
            command.CommandText = "PRAGMA journal_mode = WAL";
            command.ExecuteNonQuery();
        }
        // SQLite: the write lock at once, so that two processes opening one file do not both migrate it. PostgreSQL:
        // nodes starting together against an empty database create the tables one after the other.
        command.CommandText = provider == StorageProvider.Sqlite ? "BEGIN IMMEDIATE" : "BEGIN; SELECT pg_advisory_xact_lock(4717)";
        command.ExecuteNonQuery();
        try
        {
            command.CommandText = provider == StorageProvider.Sqlite ? SqliteTables : PostgreSqlTables;
            command.ExecuteNonQuery();
            if (provider == StorageProvider.Sqlite) AddSqliteColumns(command);
            var report = LegacySeriesMigration.IsNeeded(command, provider) ? LegacySeriesMigration.Run(connection, provider) : null;
            command.CommandText = $"""
                INSERT INTO storage_meta (key, value) VALUES ('layout', '{LayoutVersion}')
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """;
            command.ExecuteNonQuery();
            command.CommandText = "COMMIT";
            command.ExecuteNonQuery();
            return report;
        }
        catch
        {
            command.CommandText = "ROLLBACK";
            command.ExecuteNonQuery();
            throw;
        }
    }

    /// <summary>Columns added to existing tables since they were first made.</summary>
    private static void AddSqliteColumns(DbCommand command)
    {
        command.CommandText = "SELECT count(*) FROM pragma_table_info('series_chunks') WHERE name = 'fence'";
        if (Convert.ToInt64(command.ExecuteScalar()) > 0) return;
        command.CommandText = "ALTER TABLE series_chunks ADD COLUMN fence INTEGER NOT NULL DEFAULT 0";
        command.ExecuteNonQuery();
    }

    private const string SqliteTables = """
        CREATE TABLE IF NOT EXISTS storage_meta (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS host_log (
            position    INTEGER PRIMARY KEY,
            host        TEXT    NOT NULL,
            sequence_nr INTEGER NOT NULL,
            payload     BLOB    NOT NULL
        );
        CREATE TABLE IF NOT EXISTS host_log_cut (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            below INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS host_snapshots (
            host        TEXT    NOT NULL UNIQUE,
            sequence_nr INTEGER NOT NULL,
            created_ms  INTEGER NOT NULL,
            payload     BLOB    NOT NULL
        );
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

    private const string PostgreSqlTables = """
        CREATE TABLE IF NOT EXISTS storage_meta (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS host_log (
            host        TEXT   NOT NULL,
            sequence_nr BIGINT NOT NULL,
            payload     BYTEA  NOT NULL,
            PRIMARY KEY (host, sequence_nr)
        );
        CREATE TABLE IF NOT EXISTS host_snapshots (
            host        TEXT   NOT NULL PRIMARY KEY,
            sequence_nr BIGINT NOT NULL,
            created_ms  BIGINT NOT NULL,
            payload     BYTEA  NOT NULL
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
        """;
}
