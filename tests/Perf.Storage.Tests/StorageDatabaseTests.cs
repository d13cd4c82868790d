using System.Data.Common;

namespace Perf.Storage.Tests;

/// <summary>How a node's database is named and connected to.</summary>
public sealed class StorageDatabaseTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Theory]
    [InlineData("sqlite", StorageProvider.Sqlite)]
    [InlineData("SQLite", StorageProvider.Sqlite)]
    [InlineData("postgresql", StorageProvider.PostgreSql)]
    [InlineData("PostgreSQL", StorageProvider.PostgreSql)]
    public void A_provider_is_named_in_any_case(string name, StorageProvider provider)
    {
        Assert.Equal(provider, StorageDatabase.ParseProvider(name));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    [InlineData("")]
    public void An_unknown_provider_is_refused(string name)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StorageDatabase.ParseProvider(name));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("FULL")]
    [InlineData("extra")]
    public void A_synchronous_setting_other_than_normal_or_full_is_refused(string synchronous)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StorageDatabase.Sqlite("Data Source=x.db", synchronous));
        Assert.Throws<ArgumentOutOfRangeException>(() => StorageDatabase.SqlitePragmas(synchronous));
    }

    private static async Task<long> PragmaAsync(DbConnection connection, string pragma)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("normal", 1L)]
    [InlineData("full", 2L)]
    public async Task Every_connection_has_the_fsync_policy_and_the_busy_timeout_writers_rely_on(string synchronous, long level)
    {
        var database = StorageDatabase.SqliteFile(_directory.File("perf.db"), synchronous);
        Assert.Equal("sqlite", database.ProviderName);

        await using var connection = await database.OpenAsync();

        Assert.Equal(level, await PragmaAsync(connection, "synchronous"));
        Assert.Equal(30_000, await PragmaAsync(connection, "busy_timeout"));
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_fails_the_open()
    {
        // A directory where the file should be.
        var database = StorageDatabase.SqliteFile(_directory.Path);

        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => database.OpenAsync());
    }

    public void Dispose() => _directory.Dispose();
}
