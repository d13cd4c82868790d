using Microsoft.Data.Sqlite;

namespace Perf.Storage.Tests;

/// <summary>A fresh directory per test for real SQLite files, deleted afterwards.</summary>
public sealed class TestDirectory : IDisposable
{
    public TestDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "perf-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A database file of the current layout (what a node makes on its first start).</summary>
    public StorageDatabase CreateDatabase(string name = "perf.db")
    {
        var database = StorageDatabase.SqliteFile(File(name));
        Assert.Null(database.CreateSchema()); // a new file has nothing to migrate
        return database;
    }

    /// <summary>A SQLite file made by <paramref name="sql"/> (tables as an earlier version wrote them); its path.</summary>
    public string CreateFile(string name, string sql)
    {
        var path = File(name);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return path;
    }

    public void Dispose()
    {
        // Pooled connections keep the files open.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A background task of a failed test may still hold a file: the temp directory is cleaned by the OS.
        }
    }
}
