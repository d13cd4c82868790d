using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Perf.Analytics.Compression;
using Perf.Storage.Backup;
using Perf.Storage.Chunks;
using Perf.Storage.Hosts;
using Perf.Storage.Tests.Migration;

namespace Perf.Storage.Tests.Backup;

/// <summary>
/// Backup verification on real files: one written through <see cref="HostStorage"/> reads back with the right counts,
/// damage is a failure naming whose data it is (never an exception), and a backup of layout 1 is verified as a node
/// would migrate it, without touching the backup.
/// </summary>
public sealed class BackupVerifierTests : IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly string _path;

    public BackupVerifierTests()
    {
        _path = _directory.File("backup.db");
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

    /// <summary>
    /// web-1: two series, a snapshot at record 2, then a record adding a series and one sealing chunk 0 of cpu.usage.
    /// db-1: two series, no snapshot.
    /// </summary>
    private async Task WriteBackupAsync()
    {
        var database = StorageDatabase.SqliteFile(_path);
        database.CreateSchema();
        using var storage = new HostStorage(database);
        await storage.AppendAsync(new HostWrite("web-1", 1, Record(r =>
        {
            r.SeriesAdded(["cpu.usage"]);
            r.Point(0, 1_000, 1);
            r.Point(0, 2_000, 2);
            r.Point(0, 3_000, 3);
        })));
        await storage.AppendAsync(new HostWrite("web-1", 2, Record(r => r.Point(0, 4_000, 4))));
        var head = Chunk(1_000, 2_000, 3_000, 4_000);
        await storage.SaveSnapshotAsync("web-1", 2,
            HostSnapshotCodec.Encode([SeriesSnapshot.Empty("cpu.usage") with { Head = head, LatestMs = 4_000, LatestValue = 4 }]), createdMs: 1);
        await storage.AppendAsync(new HostWrite("web-1", 3, Record(r =>
        {
            r.SeriesAdded(["memory.used"]);
            r.Point(0, 5_000, 5);
            r.Point(1, 5_000, 50);
        })));
        var chunk = Chunk(1_000, 2_000, 3_000);
        await storage.AppendAsync(new HostWrite("web-1", 4, Record(r =>
        {
            r.ChunkSealed(0, new ChunkSeal(0, 1_000, 3_000, 3, chunk.Length));
            r.Point(0, 6_000, 6);
        }), [new StoredChunk("web-1/cpu.usage", 0, 1_000, 3_000, 3, chunk, 4)]));
        await storage.AppendAsync(new HostWrite("db-1", 1, Record(r =>
        {
            r.SeriesAdded(["cpu.usage", "disk.usage"]);
            r.Point(0, 1_000, 1);
            r.Point(1, 1_000, 10);
        })));
    }

    [Fact]
    public async Task A_file_written_through_host_storage_verifies_with_its_counts()
    {
        await WriteBackupAsync();

        var result = new BackupVerifier().Verify(_path);

        Assert.Empty(result.Failures);
        Assert.True(result.Ok);
        Assert.Equal("ok", result.Integrity);
        Assert.Equal(2, result.Hosts);
        Assert.Equal(4, result.Series);
        Assert.Equal(0, result.SeriesFailed);
        // web-1/cpu.usage: 3 in chunk 0 and 3 in its head (4, 5, 6 s); web-1/memory.used 1; db-1's two series 1 each.
        Assert.Equal(9, result.Points);
        Assert.Equal(1, result.Snapshots);
        Assert.Equal(3, result.Events); // web-1's records 3 and 4, db-1's record 1: records at or below a snapshot are not read
        Assert.Equal(1, result.Chunks);
        Assert.Equal(0, result.ChunksFailed);
        Assert.Equal(0, result.OtherEvents);
    }

    /// <summary>A way of damaging the backup, and the failures it must cause: whose data, and a fragment of the reason.</summary>
    public static TheoryData<string, string[]> Damage => new()
    {
        { "a flipped byte in a record payload", ["host-web-1", "record 3: host record is damaged at byte 6: entry kind 254 is unknown"] },
        { "a flipped byte in a snapshot payload", ["host-web-1", "snapshot at record 2: host snapshot is damaged"] },
        {
            "a flipped byte in a chunk",
            ["series-web-1/cpu.usage", "chunk 0: ", "host-web-1", "record 4: seals chunk 0 of web-1/cpu.usage, which the chunk table does not hold"]
        },
        { "a record naming a series index the host does not have", ["host-db-1", "record 1: names series 5; the host has 2 by then"] },
        { "a seal whose chunk row is missing", ["host-web-1", "record 4: seals chunk 0 of web-1/cpu.usage, which the chunk table does not hold"] },
    };

    private void Apply(string damage)
    {
        switch (damage)
        {
            case "a flipped byte in a record payload":
                // The kind of the record's first entry (SeriesAdded, 1) becomes 254.
                Sql.FlipByte(_path, "host_log", "payload", "host = 'web-1' AND sequence_nr = 3", HostRecordWriter.HeaderLength);
                break;
            case "a flipped byte in a snapshot payload":
                Sql.FlipByte(_path, "host_snapshots", "payload", "host = 'web-1'", 1); // the series count
                break;
            case "a flipped byte in a chunk":
                Sql.FlipByte(_path, "series_chunks", "data", "series_id = 'web-1/cpu.usage'", 0); // the point count
                break;
            case "a record naming a series index the host does not have":
                Sql.Execute(_path, "UPDATE host_log SET payload = @payload WHERE host = 'db-1' AND sequence_nr = 1",
                    ("@payload", Record(r =>
                    {
                        r.SeriesAdded(["cpu.usage", "disk.usage"]);
                        r.Point(5, 1_000, 1);
                    })));
                break;
            case "a seal whose chunk row is missing":
                Sql.Execute(_path, "DELETE FROM series_chunks WHERE series_id = 'web-1/cpu.usage'");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task Damage_is_a_failure_naming_whose_data_it_is_never_an_exception(string damage, string[] expected)
    {
        await WriteBackupAsync();
        SqliteConnection.ClearAllPools(); // the file is a backup now: nothing of the node has it open
        Apply(damage);

        var result = new BackupVerifier().Verify(_path);

        Assert.False(result.Ok);
        Assert.Equal("ok", result.Integrity); // the file is sound: the damage is in what it holds
        var failures = result.Failures.Select(f => $"{f.PersistenceId}: {f.Reason}").ToList();
        Assert.Equal(expected.Length / 2, result.FailureCount);
        for (var i = 0; i < expected.Length; i += 2)
            Assert.Contains(failures, f => f.StartsWith(expected[i] + ": ", StringComparison.Ordinal) && f.Contains(expected[i + 1], StringComparison.Ordinal));
        Assert.Equal(2, result.Hosts); // the other host is still read
    }

    public static TheoryData<string, string, string> Payloads => new()
    {
        { "host_log", "payload", "host = 'web-1' AND sequence_nr = 4" },
        { "host_snapshots", "payload", "host = 'web-1'" },
        { "series_chunks", "data", "series_id = 'web-1/cpu.usage'" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task A_byte_changed_anywhere_in_a_payload_never_fails_the_verification_itself(string table, string column, string where)
    {
        // A changed value bit may read as a valid value (the layouts carry no checksum), but no change may throw out of
        // the verification or blame another host.
        await WriteBackupAsync();
        SqliteConnection.ClearAllPools();
        var length = (int)Sql.Scalar(_path, $"SELECT length({column}) FROM {table} WHERE {where}");
        var detected = 0;
        for (var offset = 0; offset < length; offset++)
        {
            Sql.FlipByte(_path, table, column, where, offset);
            var result = new BackupVerifier().Verify(_path);
            Sql.FlipByte(_path, table, column, where, offset); // back as it was

            Assert.All(result.Failures, f => Assert.Contains("web-1", f.PersistenceId));
            if (!result.Ok) detected++;
        }
        Assert.True(detected > 0, "no changed byte was noticed at all");
        Assert.True(new BackupVerifier().Verify(_path).Ok);
    }

    [Fact]
    public async Task Events_of_the_other_actors_are_decoded_and_one_that_does_not_decode_is_a_failure_naming_its_actor()
    {
        await WriteBackupAsync();
        Sql.Execute(_path, """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) VALUES
              (0, 0, 'alerts-web-1/cpu.usage', 1, X'01', 'AT', 4717, NULL),
              (0, 0, 'alerts-web-1/cpu.usage', 2, X'FF', 'AT', 4717, NULL),
              (0, 0, '/system/sharding/hostCoordinator/singleton/coordinator', 1, X'00', 'AB', 13, NULL);
            INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) VALUES
              ('rules', 3, 0, X'02', 'RS', 4717);
            """);
        // Stands in for the engine's serializer: a payload of 0xFF does not deserialize.
        var decoded = new List<string>();
        var verifier = new BackupVerifier((manifest, payload) =>
        {
            decoded.Add(manifest);
            return payload[0] != 0xFF ? new object() : throw new FormatException("not an alert event");
        });

        var result = verifier.Verify(_path);

        Assert.Equal(["AT", "AT", "RS"], decoded); // Akka's own rows (the coordinator's) are not Perf's to decode
        Assert.Equal(3, result.OtherEvents);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("alerts-web-1/cpu.usage", failure.PersistenceId);
        Assert.Equal("journal row 2 does not deserialize (AT): not an alert event", failure.Reason);
    }

    [Theory]
    [InlineData("wal")] // the node's own file, copied as it was
    [InlineData("delete")] // as DatabaseBackups makes a backup: one self-contained file
    public void A_backup_of_layout_1_verifies_as_a_node_would_migrate_it_and_is_left_untouched(string journalMode)
    {
        var backup = LegacyFile.CopyTo(_directory, "legacy-backup.db");
        if (journalMode == "delete") Sql.Execute(backup, "PRAGMA journal_mode = DELETE");
        var hash = SHA256.HashData(File.ReadAllBytes(backup));

        var result = new BackupVerifier().Verify(backup);

        Assert.Empty(result.Failures);
        Assert.True(result.Ok);
        Assert.Equal(3, result.Hosts);
        Assert.Equal(18, result.Series);
        Assert.Equal(LegacyFile.Expected.Values.Sum(e => e.Points), result.Points);
        Assert.Equal(3, result.Snapshots);
        Assert.Equal(31, result.Events);
        Assert.Equal(54, result.Chunks);
        Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(backup)));
        Assert.Contains("series_journal", Sql.Tables(backup)); // still layout 1: the migration ran on a copy
        if (journalMode == "delete")
            Assert.Equal([backup], Directory.GetFiles(_directory.Path)); // nothing left beside it
        else
            // SQLite's read-only open of a WAL file leaves its (empty) companions; nothing was written into them.
            Assert.Equal(0, new FileInfo(backup + "-wal") is { Exists: true } wal ? wal.Length : 0);
    }

    [Fact]
    public void A_missing_file_is_an_error_not_a_verification()
    {
        Assert.Throws<FileNotFoundException>(() => new BackupVerifier().Verify(_directory.File("none.db")));
    }

    public void Dispose() => _directory.Dispose();
}
