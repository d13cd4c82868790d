using Microsoft.Data.Sqlite;
using Perf.Analytics.Compression;
using Perf.Storage.Chunks;
using Perf.Storage.Hosts;

namespace Perf.Storage.Tests.Hosts;

/// <summary>
/// Where a host keeps what it owns, on a real SQLite file: recovery is the snapshot plus the records after it, a
/// snapshot drops the records it covers only once it has committed, and a record and the chunks it seals are stored
/// together or not at all.
/// </summary>
public sealed class HostStorageTests : IDisposable
{
    private const string Host = "web-1";
    private readonly TestDirectory _directory = new();
    private readonly StorageDatabase _database;
    private readonly string _path;
    private HostStorage _storage;

    public HostStorageTests()
    {
        _database = _directory.CreateDatabase();
        _path = _directory.File("perf.db");
        _storage = new HostStorage(_database);
    }

    /// <summary>What a node restart does: a new storage object on the same file (its log's index rebuilt by a scan).</summary>
    private HostStorage Restart()
    {
        _storage.Dispose();
        return _storage = new HostStorage(_database);
    }

    private static byte[] Record(Action<HostRecordWriter> write)
    {
        using var writer = new HostRecordWriter();
        write(writer);
        return writer.ToArray();
    }

    private static byte[] Chunk(params long[] timestamps)
    {
        var encoder = new GorillaChunkEncoder();
        foreach (var t in timestamps) encoder.Append(t, t / 1000.0);
        return encoder.ToArray();
    }

    private static StoredChunk StoredChunk(string seriesId, long sequence, long fence, params long[] timestamps) =>
        new(seriesId, sequence, timestamps[0], timestamps[^1], timestamps.Length, Chunk(timestamps), fence);

    /// <summary>
    /// A host's first four writes: two series, points, a snapshot after the second write, a seal in the fourth.
    /// </summary>
    private async Task WriteHistoryAsync()
    {
        await _storage.AppendAsync(new HostWrite(Host, 1, Record(r =>
        {
            r.SeriesAdded(["cpu.usage"]);
            r.Point(0, 1_000, 1);
            r.Point(0, 2_000, 2);
        })));
        await _storage.AppendAsync(new HostWrite(Host, 2, Record(r => r.Point(0, 3_000, 3))));
        var snapshot = HostSnapshotCodec.Encode([SeriesSnapshot.Empty("cpu.usage") with { Head = Chunk(1_000, 2_000, 3_000), LatestMs = 3_000, LatestValue = 3 }]);
        await _storage.SaveSnapshotAsync(Host, 2, snapshot, createdMs: 1);
        await _storage.AppendAsync(new HostWrite(Host, 3, Record(r =>
        {
            r.SeriesAdded(["memory.used"]);
            r.Point(0, 4_000, 4);
            r.Point(1, 4_000, 40);
        })));
        var seal = StoredChunk("web-1/cpu.usage", 0, fence: 4, 1_000, 2_000, 3_000);
        await _storage.AppendAsync(new HostWrite(Host, 4, Record(r =>
        {
            r.ChunkSealed(0, new ChunkSeal(0, 1_000, 3_000, 3, seal.Data.Length));
            r.Point(0, 5_000, 5);
        }), [seal]));
    }

    [Fact]
    public async Task Recovery_is_the_snapshot_the_records_after_it_and_the_highest_sequence_number_also_after_a_restart()
    {
        await WriteHistoryAsync();

        await AssertRecoveryAsync(_storage);
        await AssertRecoveryAsync(Restart());

        static async Task AssertRecoveryAsync(HostStorage storage)
        {
            var recovery = await storage.RecoverAsync(Host);

            Assert.Equal(2, recovery.Snapshot?.SequenceNr);
            Assert.Equal([3L, 4], recovery.Records.Select(r => r.SequenceNr));
            Assert.Equal(4, recovery.HighestSequenceNr);
            var series = HostReplay.Replay(recovery.Snapshot, recovery.Records);
            Assert.Equal(["cpu.usage", "memory.used"], series.Select(s => s.Metric));
            Assert.Equal([4_000L, 5_000], series[0].Head.Select(p => p.TimestampMs)); // 1..3 s went into chunk 0
            Assert.Equal(new SeriesChunks(1, 1, series[0].Chunks.Bytes, 3, 1_000, 3_000), series[0].Chunks);
            Assert.Equal([new DataPoint(4_000, 40)], series[1].Head);
            Assert.Equal(3, Assert.Single(await storage.Chunks.ReadAsync("web-1/cpu.usage", 0, 10_000)).PointCount);
        }
    }

    [Fact]
    public async Task A_host_recovers_its_highest_sequence_number_from_its_snapshot_when_every_record_is_covered()
    {
        await WriteHistoryAsync();
        await _storage.SaveSnapshotAsync(Host, 4, HostSnapshotCodec.Encode([]), createdMs: 2);

        await AssertRecoveryAsync(_storage);
        await AssertRecoveryAsync(Restart());

        static async Task AssertRecoveryAsync(HostStorage storage)
        {
            var recovery = await storage.RecoverAsync(Host);
            Assert.Equal(4, recovery.Snapshot?.SequenceNr);
            Assert.Empty(recovery.Records);
            Assert.Equal(4, recovery.HighestSequenceNr);
        }
    }

    [Fact]
    public async Task A_host_with_nothing_stored_recovers_empty()
    {
        var recovery = await _storage.RecoverAsync("never-seen");

        Assert.Null(recovery.Snapshot);
        Assert.Empty(recovery.Records);
        Assert.Equal(0, recovery.HighestSequenceNr);
    }

    [Fact]
    public async Task Records_a_snapshot_covers_are_dropped_only_once_it_has_committed()
    {
        for (var seq = 1; seq <= 3; seq++)
            await _storage.AppendAsync(new HostWrite(Host, seq, Record(r => r.Point(0, seq * 1_000, seq))));
        // The snapshot's transaction fails, as on a full disk.
        Sql.Execute(_path, "CREATE TRIGGER full_disk BEFORE INSERT ON host_snapshots BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");

        var failed = await Assert.ThrowsAsync<SqliteException>(() => _storage.SaveSnapshotAsync(Host, 3, HostSnapshotCodec.Encode([]), createdMs: 1));

        Assert.Contains("database or disk is full", failed.Message);
        Assert.Equal([1L, 2, 3], (await _storage.Log.ReadAsync(Host, 0)).Select(r => r.SequenceNr)); // still there to recover from
        var recovery = await Restart().RecoverAsync(Host);
        Assert.Null(recovery.Snapshot);
        Assert.Equal([1L, 2, 3], recovery.Records.Select(r => r.SequenceNr));

        Sql.Execute(_path, "DROP TRIGGER full_disk");
        await _storage.SaveSnapshotAsync(Host, 3, HostSnapshotCodec.Encode([]), createdMs: 2);

        Assert.Empty(await _storage.Log.ReadAsync(Host, 0));
        recovery = await Restart().RecoverAsync(Host);
        Assert.Equal(3, recovery.Snapshot?.SequenceNr);
        Assert.Empty(recovery.Records);
        Assert.Equal(3, recovery.HighestSequenceNr);
    }

    /// <summary>A write of the host whose record seals two chunks.</summary>
    private static HostWrite SealingWrite() => new(Host, 2, Record(r =>
    {
        r.ChunkSealed(0, new ChunkSeal(0, 1_000, 2_000, 2, 0));
        r.ChunkSealed(1, new ChunkSeal(0, 1_000, 2_000, 2, 0));
    }), [StoredChunk("web-1/cpu.usage", 0, 2, 1_000, 2_000), StoredChunk("web-1/memory.used", 0, 2, 1_000, 2_000)]);

    /// <summary>The sealing write and another host's write, in one transaction; how each ended.</summary>
    private async Task<(Exception? Failure, Exception? OtherFailure)> WriteTogetherAsync()
    {
        await _storage.Log.Loaded;
        var hold = await WriterHold.StartAsync(DatabaseWriterOf(_storage));
        // The other host's write runs first: when this one fails, the writer rolls both back and runs them again one
        // savepoint each, and the other must then be stored (not refused as a second copy of itself).
        var other = _storage.AppendAsync(new HostWrite("db-1", 1, Record(r => r.ChunkSealed(0, new ChunkSeal(0, 1_000, 2_000, 2, 0))),
            [StoredChunk("db-1/cpu.usage", 0, 1, 1_000, 2_000)]));
        var write = _storage.AppendAsync(SealingWrite());
        await hold.ReleaseAsync();
        return (await FailureOf(write), await FailureOf(other));

        static async Task<Exception?> FailureOf(Task task)
        {
            try
            {
                await task;
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }
    }

    /// <summary>The writer the storage object writes through (a lease on the database's one writer).</summary>
    private static DatabaseWriter DatabaseWriterOf(HostStorage storage)
    {
        using var lease = DatabaseWriter.Acquire(storage.Database);
        return lease.Writer; // still open: the storage holds its own lease
    }

    private List<string> ChunkRows() => [.. Sql.Rows(_path, "SELECT series_id FROM series_chunks ORDER BY series_id").Select(r => r[0])];

    public static TheoryData<string, string?> Failures => new()
    {
        { "nothing fails", null },
        { "the record's insert fails", "CREATE TRIGGER fail BEFORE INSERT ON host_log WHEN NEW.host = 'web-1' BEGIN SELECT RAISE(ABORT, 'injected'); END" },
        { "the second chunk's insert fails", "CREATE TRIGGER fail BEFORE INSERT ON series_chunks WHEN NEW.series_id = 'web-1/memory.used' BEGIN SELECT RAISE(ABORT, 'injected'); END" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_chunk_written_with_a_record_is_in_the_table_if_and_only_if_the_record_committed(string because, string? trigger)
    {
        _ = because;
        await _storage.AppendAsync(new HostWrite(Host, 1, Record(r => r.SeriesAdded(["cpu.usage", "memory.used"]))));
        if (trigger is not null) Sql.Execute(_path, trigger);

        var (failure, otherFailure) = await WriteTogetherAsync();

        Assert.Null(otherFailure); // another host's write in the same transaction commits whatever happens to this one
        var records = (await _storage.Log.ReadAsync(Host, 0)).Select(r => r.SequenceNr).ToList();
        if (trigger is null)
        {
            Assert.Null(failure);
            Assert.Equal([1L, 2], records);
            Assert.Equal(["db-1/cpu.usage", "web-1/cpu.usage", "web-1/memory.used"], ChunkRows());
        }
        else
        {
            Assert.Contains("injected", Assert.IsType<SqliteException>(failure).Message);
            Assert.Equal([1L], records);
            Assert.Equal(["db-1/cpu.usage"], ChunkRows());
            // The record never was: the host may write that sequence number again, and its chunks go in with it.
            Sql.Execute(_path, "DROP TRIGGER fail");
            await _storage.AppendAsync(SealingWrite());
            Assert.Equal(["db-1/cpu.usage", "web-1/cpu.usage", "web-1/memory.used"], ChunkRows());
        }
    }

    public void Dispose()
    {
        _storage.Dispose();
        _directory.Dispose();
    }
}
