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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
