using Perf.Storage.Reports;

namespace Perf.Storage.Tests.Reports;

/// <summary>Finished reports in the node's database, on a real SQLite file.</summary>
public sealed class ReportStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task A_report_reads_back_whole_a_second_save_replaces_it_and_an_unknown_one_is_null()
    {
        var store = new ReportStore(_directory.CreateDatabase());
        var content = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 31)).ToArray(); // a PDF-sized file

        await store.SaveAsync("report-1", "pdf", content);
        Assert.Equal(content, await store.ReadAsync("report-1"));

        await store.SaveAsync("report-1", "csv", [1, 2, 3]);
        Assert.Equal([1, 2, 3], await store.ReadAsync("report-1"));
        Assert.Equal([["csv"]], Sql.Rows(_directory.File("perf.db"), "SELECT format FROM report_files"));

        Assert.Null(await store.ReadAsync("report-2"));
    }

    public void Dispose() => _directory.Dispose();
}
