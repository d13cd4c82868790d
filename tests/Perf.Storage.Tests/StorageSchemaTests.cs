using Perf.Storage.Tests.Migration;

namespace Perf.Storage.Tests;

/// <summary>The tables of a node's database, made on first start and left alone after.</summary>
public sealed class StorageSchemaTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public void A_new_file_gets_every_table_in_wal_mode_at_the_current_layout()
    {
        var path = _directory.File("perf.db");

        Assert.Null(StorageDatabase.SqliteFile(path).CreateSchema());

        Assert.Equal(
            ["host_log", "host_log_cut", "host_snapshots", "journal", "report_files", "series_chunks", "snapshot", "sqlite_sequence", "storage_meta", "tags"],
            Sql.Tables(path).Order(StringComparer.Ordinal));
        Assert.Equal([["wal"]], Sql.Rows(path, "PRAGMA journal_mode"));
        Assert.Equal([["layout", StorageSchema.LayoutVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)]],
            Sql.Rows(path, "SELECT key, value FROM storage_meta"));
    }

    [Fact]
    public void Creating_the_schema_of_a_file_that_has_it_changes_nothing()
    {
        var path = _directory.File("perf.db");
        var database = StorageDatabase.SqliteFile(path);
        database.CreateSchema();
        Sql.Execute(path, "INSERT INTO host_log (position, host, sequence_nr, payload) VALUES (1, 'web-1', 1, X'01')");
        var before = Sql.Dump(path);

        Assert.Null(database.CreateSchema());

        Assert.Equal(before, Sql.Dump(path));
    }

    [Fact]
    public async Task Nodes_opening_a_file_of_the_previous_layout_at_once_migrate_it_once()
    {
        var path = LegacyFile.CopyTo(_directory);
        // Each its own database object and connection, as two processes would have.
        var opening = Enumerable.Range(0, 4).Select(_ => Task.Run(() => StorageDatabase.SqliteFile(path).CreateSchema())).ToList();

        var reports = await Task.WhenAll(opening);

        Assert.Single(reports, r => r is not null);
        Assert.Equal(3, Sql.Scalar(path, "SELECT count(*) FROM host_snapshots"));
        Assert.Equal(31, Sql.Scalar(path, "SELECT count(*) FROM host_log"));
    }

    public void Dispose() => _directory.Dispose();
}
