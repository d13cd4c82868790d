using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>The latest snapshot of each host on a real SQLite file: a newer one replaces it, an older save is ignored.</summary>
public sealed class HostSnapshotStoreTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly StorageDatabase _database;
    private readonly DatabaseWriter.Lease _writer;
    private readonly HostSnapshotStore _store;

    public HostSnapshotStoreTests()
    {
        _database = _directory.CreateDatabase();
        _writer = DatabaseWriter.Acquire(_database);
        _store = new HostSnapshotStore(_database, _writer.Writer);
    }

    /// <summary>A snapshot whose one series' name says which save it came from.</summary>
    private static byte[] Payload(string tag) => HostSnapshotCodec.Encode([SeriesSnapshot.Empty(tag)]);

    private async Task<(long SequenceNr, string Tag)?> LoadAsync(string host) =>
        await _store.LoadAsync(host) is { } snapshot ? (snapshot.SequenceNr, Assert.Single(snapshot.Series).Metric) : null;

    [Fact]
    public async Task A_newer_snapshot_replaces_the_stored_one_and_an_older_save_is_ignored()
    {
        await _store.SaveAsync("web-1", 5, Payload("five"), createdMs: 1);

        await _store.SaveAsync("web-1", 3, Payload("three"), createdMs: 2); // a save that completed late
        Assert.Equal((5, "five"), await LoadAsync("web-1"));

        await _store.SaveAsync("web-1", 5, Payload("five again"), createdMs: 3); // the same point, saved again
        Assert.Equal((5, "five again"), await LoadAsync("web-1"));

        await _store.SaveAsync("web-1", 8, Payload("eight"), createdMs: 4);
        Assert.Equal((8, "eight"), await LoadAsync("web-1"));
        Assert.Equal([["web-1", "8", "4"]], Sql.Rows(_directory.File("perf.db"), "SELECT host, sequence_nr, created_ms FROM host_snapshots"));
    }

    [Fact]
    public async Task Saves_of_one_host_in_one_group_commit_keep_the_newest_whatever_their_order()
    {
        var hold = await WriterHold.StartAsync(_writer.Writer);
        var newer = _store.SaveAsync("web-1", 8, Payload("eight"), 1);
        var older = _store.SaveAsync("web-1", 5, Payload("five"), 2);

        await hold.ReleaseAsync();
        await Task.WhenAll(newer, older);

        Assert.Equal((8, "eight"), await LoadAsync("web-1"));
    }

    [Fact]
    public async Task Each_host_has_its_own_snapshot_and_a_host_without_one_has_none()
    {
        await _store.SaveAsync("web-1", 5, Payload("web"), 1);
        await _store.SaveAsync("db-1", 2, Payload("db"), 1);

        Assert.Equal((5, "web"), await LoadAsync("web-1"));
        Assert.Equal((2, "db"), await LoadAsync("db-1"));
        Assert.Null(await _store.LoadAsync("web-2"));
    }

    [Fact]
    public async Task A_snapshot_that_does_not_decode_fails_its_load_naming_the_host_and_record()
    {
        var payload = Payload("web");
        await _store.SaveAsync("web-1", 5, payload[..^1], 1);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.LoadAsync("web-1"));

        Assert.StartsWith("The snapshot of host web-1 at record 5 does not read: host snapshot is truncated", error.Message);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _directory.Dispose();
    }
}
