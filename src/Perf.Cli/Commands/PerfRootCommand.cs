using System.CommandLine;

namespace Perf.Cli.Commands;

/// <summary>The <c>perf</c> command line; <c>--help</c> and <c>--version</c> come with <see cref="RootCommand"/>.</summary>
public sealed class PerfRootCommand : RootCommand
{
    public PerfRootCommand()
        : base("perf: command-line tool for the Perf metrics engine.")
    {
        Subcommands.Add(Bench);
        Subcommands.Add(Detect);
        Subcommands.Add(Report);
        Subcommands.Add(Backup);
        Subcommands.Add(Restore);
        Subcommands.Add(Cluster);
        Subcommands.Add(Write);
        Subcommands.Add(LoadTest);
    }

    public BenchCommand Bench { get; } = new();

    public DetectCommand Detect { get; } = new();

    public ReportCommand Report { get; } = new();

    public BackupCommand Backup { get; } = new();

    public RestoreCommand Restore { get; } = new();

    public ClusterCommand Cluster { get; } = new();

    public WriteCommand Write { get; } = new();

    public LoadTestCommand LoadTest { get; } = new();
}
