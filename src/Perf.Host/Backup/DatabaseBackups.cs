using Perf.Storage.Backup;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Perf.Host.Backup;

/// <summary>
/// Online backups of the node's database into <c>{data-dir}/backups</c>. One SQLite online backup copies the whole file in
/// a single step, inside one read transaction: in WAL mode that is one consistent snapshot of everything committed when
/// it began (every acknowledged point), while the writer goes on committing beside it (WAL readers never block the
/// writer, and a one-step backup is never restarted by the writes it does not see). The copy is then verified.
/// </summary>
public sealed class DatabaseBackups(PerfStorage storage, BackupVerifier verifier, TimeProvider clock)
{
    public const string DirectoryName = "backups";

    // One backup at a time: two would only compete for the disk, and the name check and the final rename must not race.
    private readonly SemaphoreSlim _one = new(1, 1);

    public string Directory => Path.Combine(storage.DataDirectory, DirectoryName);

    /// <summary>Only an embedded node's file is copied here; PostgreSQL's own tools back up a cluster's database.</summary>
    public bool IsSupported => storage.Provider == Perf.Storage.StorageProvider.Sqlite;

    /// <summary>
    /// Writes a backup named <paramref name="fileName"/> (a name <see cref="BackupName.TryNormalize"/> accepted), or the
    /// default timestamped name, and verifies it. Throws <see cref="BackupExistsException"/> when the name is taken.
    /// </summary>
    public async Task<BackupResult> CreateAsync(string? fileName, CancellationToken cancellationToken = default)
    {
        if (!IsSupported) throw new NotSupportedException($"backups of a {storage.Provider} database are taken with its own tools");
        if (fileName is not null && !BackupName.IsBackupFile(fileName)) throw new ArgumentException($"'{fileName}' is not a backup file name", nameof(fileName));
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var takenAt = clock.GetUtcNow();
            var name = fileName ?? BackupName.Default(takenAt);
            var path = Path.Combine(Directory, name);
            if (File.Exists(path)) throw new BackupExistsException(name);
            System.IO.Directory.CreateDirectory(Directory);
            // Written aside and renamed when complete: a file with a backup's name is always a whole backup.
            var partial = path + BackupName.PartialSuffix;
            File.Delete(partial); // the remains of a backup interrupted by a crash
            try
            {
                await Task.Run(() => Copy(partial), cancellationToken).ConfigureAwait(false);
                File.Move(partial, path, overwrite: false);
            }
            finally
            {
                File.Delete(partial);
            }
            var verification = await Task.Run(() => verifier.Verify(path, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new BackupResult(Describe(path), takenAt, Stopwatch.GetElapsedTime(started), verification);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>The backups in the directory, newest first.</summary>
    public IReadOnlyList<BackupFile> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.EnumerateFiles(Directory)
            .Where(path => BackupName.IsBackupFile(Path.GetFileName(path)))
            .Select(Describe)
            .OrderByDescending(b => b.ModifiedAt)
            .ThenByDescending(b => b.Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The backup of that name, or null.</summary>
    public BackupFile? Find(string name)
    {
        if (!BackupName.IsBackupFile(name)) return null;
        var path = Path.Combine(Directory, name);
        return File.Exists(path) ? Describe(path) : null;
    }

    private void Copy(string destinationPath)
    {
        using var source = new SqliteConnection(storage.ConnectionString);
        source.Open();
        storage.ConfigureConnection(source); // the busy timeout, should a WAL checkpoint hold its lock for a moment
        using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destinationPath, Pooling = false }.ToString()))
        {
            destination.Open();
            // One step (-1): all pages under one read lock, so the copy is one consistent snapshot.
            source.BackupDatabase(destination);
            // The pages carry the live file's WAL flag; a backup is a single self-contained file, with nothing beside it.
            using var command = destination.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE";
            command.ExecuteNonQuery();
        }
    }

    private static BackupFile Describe(string path)
    {
        var info = new FileInfo(path);
        return new BackupFile(info.Name, info.FullName, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
    }
}
