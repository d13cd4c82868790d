namespace Perf.Actors.Optimization;

/// <summary>The persisted form of an <see cref="OptimizerActor"/>: the host's own policy (null: the configured one), the
/// recommended instance count and the current recommendation of each kind.</summary>
public sealed record OptimizerSnapshot(OptimizationPolicy? Policy, int Instances, Recommendation[] Current) : IPerfMessage;
