namespace Perf.Host;

/// <summary>
/// An exclusive lock on a data directory (<c>{data-dir}/perf.lock</c>), held by a node for as long as it runs and by
/// <c>perf restore</c> while it replaces the database: a restore never swaps the file under a running node, and a node
/// never starts on a half-restored directory (nor two nodes on one directory). An OS lock (flock on Linux), so a killed
/// process releases it with no stale file to clean up; the file itself stays and means nothing.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "perf.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public string Path => _file.Name;

    /// <summary>The lock, or null when another process (or another holder in this one) has it.</summary>
    public static DataDirectoryLock? TryAcquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        try
        {
            return new DataDirectoryLock(new FileStream(System.IO.Path.Combine(dataDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite,
                FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The lock, or an exception naming the directory when something else holds it.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory) =>
        TryAcquire(dataDirectory) ?? throw new IOException(
            $"The data directory {System.IO.Path.GetFullPath(dataDirectory)} is in use by another Perf node or restore ({FileName} is locked)");

    public void Dispose() => _file.Dispose();
}
