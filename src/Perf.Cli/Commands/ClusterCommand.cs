using System.CommandLine;

namespace Perf.Cli.Commands;

/// <summary><c>perf cluster</c>: the cluster as an operator sees it.</summary>
public sealed class ClusterCommand : Command
{
    public ClusterCommand()
        : base("cluster", "The Perf cluster behind an API node: members, roles, reachability, shards.")
    {
        Subcommands.Add(Status);
    }

    public ClusterStatusCommand Status { get; } = new();
}
