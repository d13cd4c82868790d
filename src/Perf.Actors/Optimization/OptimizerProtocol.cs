using Perf.Actors.Hosts;

namespace Perf.Actors.Optimization;

/// <summary>Messages of an <see cref="OptimizerActor"/>. Requests go to the host's sharding entity, which forwards them to its child.</summary>
public static class OptimizerCommands
{
    /// <summary>Sets the host's optimization policy (<c>POST /api/v1/performance/optimize</c>): answered with
    /// <see cref="OptimizerQueries.PolicyAccepted"/> once persisted, or <see cref="OptimizerQueries.PolicyRejected"/>.</summary>
    public sealed record SetPolicy(string Host, string OptimizationType, PolicyChange Change) : IHostMessage;

    /// <summary>From a <see cref="HostActor"/> to its child (same process, never serialized): the newest samples of the
    /// series the optimizer watches, with their own timestamps.</summary>
    public sealed record ObserveSamples(string[] Metrics, long[] Timestamps, double[] Values);
}

public static class OptimizerQueries
{
    public sealed record GetRecommendations(string Host) : IHostMessage;

    /// <param name="Policy">the policy in force (the host's own or the configured one).</param>
    /// <param name="Instances">the recommended instance count.</param>
    public sealed record RecommendationsView(string Host, OptimizationPolicy Policy, bool PolicyOverridden, int Instances, Recommendation[] Current) : IPerfMessage;

    public sealed record PolicyAccepted(OptimizationPolicy Policy, string[] Reasons) : IPerfMessage;

    public sealed record PolicyRejected(string Field, string Message) : IPerfMessage;
}

public static class OptimizerEvents
{
    public sealed record RecommendationMade(Recommendation Recommendation) : IPerfMessage;

    /// <summary>The host's policy from now on (the whole policy, so a later change of the configuration does not change it).</summary>
    public sealed record PolicySet(OptimizationPolicy Policy, string OptimizationType, long AtMs) : IPerfMessage;
}
