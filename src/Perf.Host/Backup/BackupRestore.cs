using Perf.Storage.Backup;
using System.Globalization;

namespace Perf.Host.Backup;

/// <summary>
/// Puts a backup in place as a data directory's <c>perf.db</c>. Verify the backup first (<see cref="BackupVerifier"/>);
/// this only moves files, holding the directory's <see cref="DataDirectoryLock"/> so that no node runs on it meanwhile.
/// </summary>
public static class BackupRestore
{
    public const string DatabaseFile = "perf.db";

    // SQLite's companions of a WAL database: a -wal left beside a new perf.db would be replayed into it.
    private static readonly string[] Companions = ["-wal", "-shm"];

    /// <summary>
    /// Copies <paramref name="backupPath"/> to <c>{dataDirectory}/perf.db</c>. A directory that already has a database is
    /// refused unless <paramref name="force"/>; then the old database (and its -wal and -shm) is moved aside to
    /// <c>perf-before-restore-{UTC time}.db</c>, never deleted. Throws <see cref="RestoreRefusedException"/> when a node
    /// runs on the directory or it has a database and <paramref name="force"/> is false.
    /// </summary>
    public static RestoreResult Restore(string backupPath, string dataDirectory, bool force, DateTimeOffset now)
    {
        var directory = Path.GetFullPath(dataDirectory);
        var backup = Path.GetFullPath(backupPath);
        if (!File.Exists(backup)) throw new FileNotFoundException("No backup file", backup);
        using var held = DataDirectoryLock.TryAcquire(directory)
            ?? throw new RestoreRefusedException($"a Perf node is running on {directory} ({DataDirectoryLock.FileName} is locked): stop it first");
        var database = Path.Combine(directory, DatabaseFile);
        if (string.Equals(backup, database, StringComparison.Ordinal))
            throw new RestoreRefusedException($"{backup} is the database of {directory} itself");
        string? movedAside = null;
        if (File.Exists(database) || File.Exists(database + "-wal"))
        {
            if (!force) throw new RestoreRefusedException($"{directory} already has a database ({DatabaseFile}); --force moves it aside and restores");
            movedAside = Path.Combine(directory, "perf-before-restore-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + ".db");
            if (File.Exists(database)) File.Move(database, movedAside);
            foreach (var suffix in Companions)
                if (File.Exists(database + suffix)) File.Move(database + suffix, movedAside + suffix);
        }
        else
        {
            foreach (var suffix in Companions) File.Delete(database + suffix); // a stray -shm (no database, no WAL) holds nothing
        }
        // Copied aside, flushed to disk and renamed: perf.db is never a half-written file.
        var restoring = database + ".restoring";
        using (var source = new FileStream(backup, FileMode.Open, FileAccess.Read, FileShare.Read))
        using (var target = new FileStream(restoring, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        File.Move(restoring, database);
        return new RestoreResult(database, new FileInfo(database).Length, movedAside);
    }
}
