using Perf.Host.Backup;

namespace Perf.Host.Tests.Backup;

/// <summary>
/// <see cref="BackupRestore"/> on plain files (the end-to-end test in Perf.Api.Tests restores a real backup into a real
/// node): what it refuses, and that it moves an old database aside instead of deleting it.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "perf-host-tests", Guid.NewGuid().ToString("N"));

    public BackupRestoreTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string DataDirectory => Path.Combine(_root, "data");

    private string Backup(string content = "backup")
    {
        var path = Path.Combine(_root, "backup.db");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Into_a_fresh_directory_the_backup_becomes_perf_db()
    {
        var result = BackupRestore.Restore(Backup(), DataDirectory, force: false, Now);

        Assert.Equal(Path.Combine(DataDirectory, "perf.db"), result.DatabasePath);
        Assert.Equal("backup", File.ReadAllText(result.DatabasePath));
        Assert.Equal(6, result.SizeBytes);
        Assert.Null(result.MovedAside);
        Assert.False(File.Exists(result.DatabasePath + ".restoring"));
    }

    [Fact]
    public void A_directory_with_a_database_is_refused_without_force_and_left_alone()
    {
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(DataDirectory, "perf.db"), "old");

        var refused = Assert.Throws<RestoreRefusedException>(() => BackupRestore.Restore(Backup(), DataDirectory, force: false, Now));

        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(Path.Combine(DataDirectory, "perf.db")));
    }

    [Fact]
    public void A_leftover_wal_counts_as_a_database()
    {
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(DataDirectory, "perf.db-wal"), "old wal");

        Assert.Throws<RestoreRefusedException>(() => BackupRestore.Restore(Backup(), DataDirectory, force: false, Now));
    }

    [Fact]
    public void With_force_the_old_database_and_its_wal_and_shm_are_moved_aside_together()
    {
        Directory.CreateDirectory(DataDirectory);
        foreach (var (suffix, content) in new[] { ("", "old"), ("-wal", "old wal"), ("-shm", "old shm") })
            File.WriteAllText(Path.Combine(DataDirectory, "perf.db" + suffix), content);

        var result = BackupRestore.Restore(Backup(), DataDirectory, force: true, Now);

        var aside = Path.Combine(DataDirectory, "perf-before-restore-20261127T100000000Z.db");
        Assert.Equal(aside, result.MovedAside);
        Assert.Equal("old", File.ReadAllText(aside));
        Assert.Equal("old wal", File.ReadAllText(aside + "-wal"));
        Assert.Equal("old shm", File.ReadAllText(aside + "-shm"));
        Assert.Equal("backup", File.ReadAllText(Path.Combine(DataDirectory, "perf.db")));
        Assert.False(File.Exists(Path.Combine(DataDirectory, "perf.db-wal")));
        Assert.False(File.Exists(Path.Combine(DataDirectory, "perf.db-shm")));
    }

    [Fact]
    public void A_directory_a_node_holds_is_refused_even_with_force()
    {
        using var node = DataDirectoryLock.Acquire(DataDirectory);

        var refused = Assert.Throws<RestoreRefusedException>(() => BackupRestore.Restore(Backup(), DataDirectory, force: true, Now));

        Assert.Contains("running", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "perf.db")));
    }

    [Fact]
    public void The_lock_is_exclusive_until_released()
    {
        using (DataDirectoryLock.Acquire(DataDirectory))
        {
            Assert.Null(DataDirectoryLock.TryAcquire(DataDirectory));
            Assert.Throws<IOException>(() => DataDirectoryLock.Acquire(DataDirectory));
        }
        using var again = DataDirectoryLock.TryAcquire(DataDirectory);
        Assert.NotNull(again);
    }

    [Fact]
    public void A_missing_backup_changes_nothing()
    {
        Assert.Throws<FileNotFoundException>(() => BackupRestore.Restore(Path.Combine(_root, "none.db"), DataDirectory, force: true, Now));
        Assert.False(File.Exists(Path.Combine(DataDirectory, "perf.db")));
    }
}
