using System.CommandLine;

namespace Perf.Cli.Commands;

/// <summary><c>perf bench</c>: the group of load generators and measurements against a running engine.</summary>
public sealed class BenchCommand : Command
{
    public BenchCommand()
        : base("bench", "Benchmarks against a running Perf engine.")
    {
        Subcommands.Add(Ingest);
        Subcommands.Add(Recovery);
        Subcommands.Add(Alerts);
        Subcommands.Add(Analyze);
        Subcommands.Add(RemoteWrite);
        Subcommands.Add(Chart);
    }

    public BenchIngestCommand Ingest { get; } = new();

    public BenchRecoveryCommand Recovery { get; } = new();

    public BenchAlertsCommand Alerts { get; } = new();

    public BenchAnalyzeCommand Analyze { get; } = new();

    public BenchRemoteWriteCommand RemoteWrite { get; } = new();

    public BenchChartCommand Chart { get; } = new();
}
