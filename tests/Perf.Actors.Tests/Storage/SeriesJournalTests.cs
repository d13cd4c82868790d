using Akka.Actor;
using Akka.Persistence;
using Perf.Actors.Storage;

namespace Perf.Actors.Tests.Storage;

/// <summary>The series journal plugin's answer to readiness, on real SQLite files.</summary>
public sealed class SeriesJournalTests : IDisposable
{
    private readonly TestDatabase _db = new();

    private static async Task<SeriesJournal.LoadState> LoadStateOnceSettledAsync(SeriesDatabase database)
    {
        using var system = ActorSystem.Create("series-journal-tests", PluginDatabase.PluginConfig(database));
        var journal = Persistence.Instance.Apply(system).JournalFor(SeriesJournal.PluginId);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var state = await journal.Ask<SeriesJournal.LoadState>(SeriesJournal.GetLoadState.Instance, TimeSpan.FromSeconds(5));
            // The scan runs in the background: until it has finished or failed, the journal answers with its progress.
            var scanning = !state.Loaded && state.Detail.Contains("rows of the series journal scanned");
            if (!scanning || DateTime.UtcNow > deadline)
            {
                await system.Terminate();
                return state;
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task The_journal_says_it_is_loaded_once_its_log_has_been_scanned()
    {
        var state = await LoadStateOnceSettledAsync(_db.Storage.Series);

        Assert.Equal(new SeriesJournal.LoadState(true, "loaded"), state);
    }

    [Fact]
    public async Task A_journal_whose_log_cannot_be_read_is_not_loaded_and_says_why()
    {
        // A journal table this version cannot read (no sequence_nr column): the scan fails.
        var broken = _db.CreateFile("broken.db", "CREATE TABLE series_journal (position INTEGER PRIMARY KEY, persistence_id TEXT NOT NULL)");

        var state = await LoadStateOnceSettledAsync(SeriesDatabase.Sqlite(broken));

        Assert.False(state.Loaded);
        Assert.StartsWith("series journal failed to load: ", state.Detail);
        Assert.Contains("sequence_nr", state.Detail);
    }

    public void Dispose() => _db.Dispose();
}
