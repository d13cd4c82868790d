using Perf.Storage.Backup;
using System.CommandLine;
using Perf.Cli.Display;
using Perf.Host.Backup;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf restore BACKUP_FILE --data-dir DIR [--force]</c>: verifies the backup, then makes it the database of the data
/// directory (see <see cref="BackupRestore"/>). Refuses while a node runs on the directory, and a directory that has a
/// database unless <c>--force</c> (which moves the old one aside). Exit code 0 restored, 1 refused or the backup failed
/// verification (nothing changed), 2 usage or configuration.
/// </summary>
public sealed class RestoreCommand : Command
{
    public RestoreCommand()
        : base("restore", "Restore a backup into a node's data directory (with the node stopped). The backup is verified first.")
    {
        Arguments.Add(FileArgument);
        Options.Add(DataDirOption);
        Options.Add(ForceOption);
        SetAction(RunAsync);
    }

    public Argument<FileInfo> FileArgument { get; } = new("BACKUP_FILE") { Description = "The backup file, e.g. DATA_DIR/backups/perf-20261127T100000000Z.db." };

    public Option<DirectoryInfo> DataDirOption { get; } = new("--data-dir")
    {
        Description = "The data directory of the node to restore (its perf.db is replaced).",
        HelpName = "DIR",
        Required = true,
    };

    public Option<bool> ForceOption { get; } = new("--force")
    {
        Description = "Restore even though the directory has a database: the old perf.db is moved aside to perf-before-restore-TIME.db, not deleted.",
    };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        const string command = "perf restore";
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var file = parseResult.GetRequiredValue(FileArgument);
        var dataDirectory = parseResult.GetRequiredValue(DataDirOption).FullName;
        var (code, verification) = await BackupVerifyCommand.VerifyAsync(command, file, dataDirectory, parseResult, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            await error.WriteLineAsync($"{command}: nothing restored").ConfigureAwait(false);
            return code;
        }
        try
        {
            var restored = BackupRestore.Restore(file.FullName, dataDirectory, parseResult.GetValue(ForceOption), DateTimeOffset.UtcNow);
            if (restored.MovedAside is { } aside)
                await output.WriteLineAsync($"{command}: moved the previous database aside to {aside}").ConfigureAwait(false);
            await output.WriteLineAsync($"{command}: restored {restored.DatabasePath} ({Formatting.Bytes(restored.SizeBytes)}) from {file.FullName}: " +
                $"{Formatting.Count(verification!.Series)} series, {Formatting.Count(verification.Points)} points. Start the node on {dataDirectory}.")
                .ConfigureAwait(false);
            return 0;
        }
        catch (RestoreRefusedException e)
        {
            await error.WriteLineAsync($"{command}: refused: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"{command}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
