using System.CommandLine;

namespace Perf.Cli.Commands;

/// <summary><c>perf backup</c>: work with backups of a node's database (taken with <c>POST /api/v1/admin/backup</c>).</summary>
public sealed class BackupCommand : Command
{
    public BackupCommand()
        : base("backup", "Backups of a node's database (take one with POST /api/v1/admin/backup; restore with perf restore).")
    {
        Subcommands.Add(Verify);
    }

    public BackupVerifyCommand Verify { get; } = new();
}
