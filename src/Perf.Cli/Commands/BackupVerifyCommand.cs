using Perf.Storage.Backup;
using System.CommandLine;
using Microsoft.Data.Sqlite;
using Perf.Actors.Configuration;
using Perf.Cli.Display;
using Perf.Host;
using Perf.Host.Backup;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf backup verify FILE</c>: opens a backup read-only and checks that every series recovers (see
/// <see cref="BackupVerifier"/>). Exit code 0 when it does, 1 when something would not, 2 when it cannot run.
/// </summary>
public sealed class BackupVerifyCommand : Command
{
    public BackupVerifyCommand()
        : base("verify", "Check that a backup restores: integrity, every series recovers from its snapshot and journal, every chunk decodes.")
    {
        Arguments.Add(FileArgument);
        SetAction(RunAsync);
    }

    public Argument<FileInfo> FileArgument { get; } = new("FILE") { Description = "The backup file (e.g. DATA_DIR/backups/perf-20261127T100000000Z.db)." };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var file = parseResult.GetRequiredValue(FileArgument);
        var (code, _) = await VerifyAsync("perf backup verify", file, dataDirectory: null, parseResult, cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <summary>
    /// Verifies <paramref name="file"/> with the detector configuration a node on <paramref name="dataDirectory"/> would
    /// use and prints the result; the exit code (0 verified, 1 failed, 2 could not verify) and the verification.
    /// </summary>
    public static async Task<(int ExitCode, BackupVerification? Verification)> VerifyAsync(
        string command, FileInfo file, string? dataDirectory, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        if (!file.Exists)
        {
            await error.WriteLineAsync($"{command}: no backup file {file.FullName}").ConfigureAwait(false);
            return (2, null);
        }
        try
        {
            var verification = await EngineBackupVerifier.VerifyStandaloneAsync(file.FullName, cancellationToken).ConfigureAwait(false);
            await VerificationReport.WriteAsync(verification.Ok ? output : error, command, file.FullName, verification).ConfigureAwait(false);
            return (verification.Ok ? 0 : 1, verification);
        }
        catch (PerfConfigurationException e)
        {
            await error.WriteLineAsync($"{command}: {e.Message}").ConfigureAwait(false);
            return (2, null);
        }
        catch (SqliteException e)
        {
            await error.WriteLineAsync($"{command}: {file.FullName} is not a readable SQLite database: {e.Message}").ConfigureAwait(false);
            return (1, null);
        }
    }
}
