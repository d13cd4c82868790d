using Perf.Host;

namespace Perf.Actors.Tests;

/// <summary>A fresh SQLite data directory per test, deleted afterwards.</summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "perf-actor-tests", Guid.NewGuid().ToString("N"));
        Storage = PerfStorage.Open(Directory);
    }

    public string Directory { get; }
    public PerfStorage Storage { get; }

    /// <summary>Another SQLite file in the directory, made by <paramref name="sql"/> (e.g. tables as an earlier version
    /// wrote them); its connection string.</summary>
    public string CreateFile(string name, string sql)
    {
        var connectionString = $"Data Source={Path.Combine(Directory, name)}";
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return connectionString;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
