namespace Perf.Storage;

/// <summary>Where a node keeps its data: one embedded SQLite file, or a PostgreSQL server shared by a cluster.</summary>
public enum StorageProvider
{
    Sqlite,
    PostgreSql,
}
