using Perf.Storage.Backup;
using Perf.Host.Backup;

namespace Perf.Cli.Display;

/// <summary>Prints what verifying a backup found: one summary line, then each failure on its own line.</summary>
public static class VerificationReport
{
    public static async Task WriteAsync(TextWriter output, string command, string path, BackupVerification v)
    {
        await output.WriteLineAsync(
            $"{command}: {(v.Ok ? "verified" : "FAILED verification of")} {path}: integrity {v.Integrity}, {Formatting.Count(v.Hosts)} hosts " +
            $"({Formatting.Count(v.HostsFailed)} failed), {Formatting.Count(v.Series)} series, {Formatting.Count(v.Points)} points, " +
            $"{Formatting.Count(v.Snapshots)} snapshots, {Formatting.Count(v.Events)} records, {Formatting.Count(v.Chunks)} chunks ({Formatting.Count(v.ChunksFailed)} failed), " +
            $"{Formatting.Count(v.OtherEvents)} other events").ConfigureAwait(false);
        foreach (var failure in v.Failures)
            await output.WriteLineAsync($"  {failure.PersistenceId}: {failure.Reason}").ConfigureAwait(false);
        if (v.FailureCount > v.Failures.Count)
            await output.WriteLineAsync($"  ... and {Formatting.Count(v.FailureCount - v.Failures.Count)} more failures").ConfigureAwait(false);
    }
}
