using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Perf.Storage.Migration;

namespace Perf.Storage;

/// <summary>
/// The database of a node's data (the host log, host snapshots, sealed chunks, report files): which provider, how to
/// connect, and the schema in its dialect (<see cref="StorageSchema"/>). Everything else about the tables is plain SQL
/// that both providers read the same way (named <c>@parameters</c>, <c>ON CONFLICT ... DO UPDATE</c>, savepoints).
/// </summary>
/// <param name="Synchronous">SQLite's <c>PRAGMA synchronous</c> ("normal" or "full"); PostgreSQL commits durably by itself.</param>
public sealed record StorageDatabase(StorageProvider Provider, string ConnectionString, string Synchronous = "full")
{
    public static StorageDatabase Sqlite(string connectionString, string synchronous = "full") =>
        new(StorageProvider.Sqlite, connectionString, synchronous is "normal" or "full"
            ? synchronous : throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "normal or full"));

    /// <summary>The SQLite file at <paramref name="path"/>, pooled, with the busy timeout every writer relies on.</summary>
    public static StorageDatabase SqliteFile(string path, string synchronous = "full") =>
        Sqlite(new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString(), synchronous);

    public static StorageDatabase PostgreSql(string connectionString) => new(StorageProvider.PostgreSql, connectionString);

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

    /// <summary>
    /// Creates the tables when missing and moves data written by earlier versions into them (<see cref="LegacySeriesMigration"/>),
    /// under the database's write lock (SQLite) or an advisory lock (PostgreSQL), so nodes starting at once do it once.
    /// Returns what the migration moved, if anything.
    /// </summary>
    public MigrationReport? CreateSchema()
    {
        using var connection = OpenAsync().GetAwaiter().GetResult();
        return StorageSchema.Create(connection, Provider);
    }
}
