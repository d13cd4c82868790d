using Microsoft.Data.Sqlite;

namespace Perf.Host.Tests;

/// <summary><see cref="PerfStorage.Open"/> on a fresh temporary directory per test.</summary>
public sealed class PerfStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "perf-host-tests", Guid.NewGuid().ToString("N"));

    private readonly List<PerfStorage> _opened = [];

    public void Dispose()
    {
        // Closing each storage stops its database writer, so no connection is left to touch the directory being deleted.
        foreach (var storage in _opened) storage.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Open_creates_the_directory_and_the_database_file()
    {
        var directory = Path.Combine(_root, "nested", "data");

        var storage = Open(directory);

        Assert.Equal(Path.GetFullPath(directory), storage.DataDirectory);
        Assert.Equal(Path.Combine(Path.GetFullPath(directory), "perf.db"), storage.DatabasePath);
        Assert.True(File.Exists(storage.DatabasePath));
    }

    [Fact]
    public void Open_switches_the_database_file_to_wal()
    {
        var storage = Open(_root);

        // A connection of its own, unpooled: WAL must be a property of the file, not of the connection that set it.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = storage.DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Fact]
    public void Open_creates_the_chunk_table_and_its_index()
    {
        var storage = Open(_root);

        using var connection = new SqliteConnection(storage.ConnectionString);
        connection.Open();
        Assert.Equal(["series_chunks"], Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'series_chunks'"));
        Assert.Equal(["series_chunks_by_last"], Query(connection, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'series_chunks' AND name NOT LIKE 'sqlite_%'"));
        Assert.Equal(
            ["series_id", "sequence", "first_ms", "last_ms", "point_count", "data", "fence"],
            Query(connection, "SELECT name FROM pragma_table_info('series_chunks') ORDER BY cid"));
    }

    [Fact]
    public void Opening_again_keeps_what_is_stored()
    {
        var storage = Open(_root);
        using (var connection = new SqliteConnection(storage.ConnectionString))
        {
            connection.Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO series_chunks (series_id, sequence, first_ms, last_ms, point_count, data) VALUES ('cpu|host=a', 1, 0, 1000, 2, x'0102')";
            insert.ExecuteNonQuery();
        }

        var reopened = Open(_root);

        using var check = new SqliteConnection(reopened.ConnectionString);
        check.Open();
        Assert.Equal(["cpu|host=a"], Query(check, "SELECT series_id FROM series_chunks"));
    }

    [Fact]
    public void The_connection_string_pools_and_waits_for_the_write_lock()
    {
        var storage = Open(_root);

        var builder = new SqliteConnectionStringBuilder(storage.ConnectionString);
        Assert.Equal(storage.DatabasePath, builder.DataSource);
        Assert.True(builder.Pooling);
        Assert.Equal(30, builder.DefaultTimeout);
    }

    [Fact]
    public void Synchronous_defaults_to_full()
    {
        Assert.Equal("full", Open(_root).Synchronous);
    }

    [Theory]
    [InlineData("normal", 1L)]
    [InlineData("full", 2L)]
    public async Task ConfigureConnection_applies_the_fsync_policy(string synchronous, long expectedLevel)
    {
        var storage = Open(_root, synchronous);
        Assert.Equal(synchronous, storage.Synchronous);

        using (var connection = new SqliteConnection(storage.ConnectionString))
        {
            connection.Open();
            storage.ConfigureConnection(connection);
            Assert.Equal(expectedLevel, Scalar(connection, "PRAGMA synchronous"));
        }

        await using (var connection = new SqliteConnection(storage.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await storage.ConfigureConnectionAsync(connection, TestContext.Current.CancellationToken);
            Assert.Equal(expectedLevel, Scalar(connection, "PRAGMA synchronous"));
        }
    }

    [Fact]
    public async Task An_open_database_is_reachable()
    {
        var storage = Open(_root);

        Assert.True(await storage.IsReachableAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_database_whose_directory_is_gone_is_not_reachable()
    {
        var storage = Open(Path.Combine(_root, "gone"));
        await storage.Hosts.Log.Loaded;
        SqliteConnection.ClearAllPools();
        Directory.Delete(storage.DataDirectory, recursive: true);

        Assert.False(await storage.IsReachableAsync(TestContext.Current.CancellationToken));
    }

    private PerfStorage Open(string directory, string synchronous = "full")
    {
        var storage = PerfStorage.Open(directory, synchronous);
        _opened.Add(storage);
        return storage;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows;
    }
}
