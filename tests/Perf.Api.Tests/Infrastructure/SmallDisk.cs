using System.Diagnostics;

namespace Perf.Api.Tests.Infrastructure;

/// <summary>
/// A small tmpfs of the test's own, so that a node's disk fills up for real (SQLite sees ENOSPC, not a simulated
/// error), and a filler file that takes its space and gives it back. Mounting needs root, which the test machines have.
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string directory, long size)
    {
        Directory = directory;
        Size = size;
    }

    /// <summary>The mount point.</summary>
    public string Directory { get; }

    public long Size { get; }

    public long AvailableBytes => new DriveInfo(Directory).AvailableFreeSpace;

    private string Filler => Path.Combine(Directory, "filler.bin");

    /// <summary>A tmpfs of <paramref name="size"/> bytes on a new directory; null when this process may not mount one.</summary>
    public static async Task<SmallDisk?> TryMountAsync(long size)
    {
        var directory = Path.Combine(Path.GetTempPath(), "perf-disk-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (Environment.UserName == "root" && await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", directory) == 0)
            return new SmallDisk(directory, size);
        System.IO.Directory.Delete(directory);
        return null;
    }

    /// <summary>Takes all but <paramref name="leaveBytes"/> of what is free.</summary>
    public Task FillLeavingAsync(long leaveBytes) => FillAsync(Filler, AvailableBytes - leaveBytes);

    /// <summary>Gives back what the filler took.</summary>
    public void Free() => File.Delete(Filler);

    /// <summary>A file of <paramref name="bytes"/> random bytes (incompressible, wherever it is written).</summary>
    public static async Task FillAsync(string path, long bytes)
    {
        var block = new byte[1 << 20];
        Random.Shared.NextBytes(block);
        await using var file = File.Create(path);
        for (long written = 0; written < bytes; written += block.Length)
            await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, bytes - written)));
        await file.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", Directory);
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task<int> RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
