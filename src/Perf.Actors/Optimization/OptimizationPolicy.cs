using Perf.Actors.Configuration;

namespace Perf.Actors.Optimization;

/// <summary>
/// What the optimizer of one host aims at: the product document's <c>optimization</c> values, from the configuration
/// until <c>POST /api/v1/performance/optimize</c> sets a host's own (persisted as <see cref="OptimizerEvents.PolicySet"/>).
/// </summary>
public sealed record OptimizationPolicy(
    long CacheMaxSizeBytes, string EvictionPolicy, TimeSpan CacheTtl,
    string Algorithm,
    int MinInstances, int MaxInstances, double ScaleUpThreshold, double ScaleDownThreshold)
{
    public static readonly string[] EvictionPolicies = ["lru", "lfu", "fifo"];
    public static readonly string[] Algorithms = ["round_robin", "least_connections", "weighted"];

    public static OptimizationPolicy From(OptimizationSettings s) => new(
        s.CacheMaxSizeBytes, s.CacheEvictionPolicy, s.CacheTtl, s.LoadBalancingAlgorithm,
        s.MinInstances, s.MaxInstances, s.ScaleUpThreshold, s.ScaleDownThreshold);

    public double CacheMaxSizeMb => CacheMaxSizeBytes / (1024.0 * 1024.0);

    /// <summary>This policy with the given values changed; null ones keep theirs.</summary>
    public OptimizationPolicy With(PolicyChange c) => new(
        c.CacheMaxSizeBytes ?? CacheMaxSizeBytes, c.EvictionPolicy ?? EvictionPolicy, c.CacheTtl ?? CacheTtl,
        c.Algorithm ?? Algorithm,
        c.MinInstances ?? MinInstances, c.MaxInstances ?? MaxInstances, c.ScaleUpThreshold ?? ScaleUpThreshold, c.ScaleDownThreshold ?? ScaleDownThreshold);

    /// <summary>The first inconsistency, as (field of the optimize request, message); null when consistent. Checked on the
    /// merged policy, because a change of one bound is valid or not depending on the host's other one.</summary>
    public (string Field, string Message)? Problem() =>
        MaxInstances < MinInstances ? ("parameters.max_instances", $"{MaxInstances} is below min_instances {MinInstances}")
        : ScaleDownThreshold >= ScaleUpThreshold ? ("parameters.scale_down_threshold", $"{ScaleDownThreshold} must be below scale_up_threshold {ScaleUpThreshold}")
        : null;

    /// <summary>What differs from <paramref name="before"/>, one line per value, for the optimize answer's reasons.</summary>
    public string[] ChangesFrom(OptimizationPolicy before)
    {
        var changes = new List<string>();
        void Add<T>(string name, T old, T now) { if (!EqualityComparer<T>.Default.Equals(old, now)) changes.Add($"{name}: {old} -> {now}"); }
        Add("cache.max_size_mb", before.CacheMaxSizeMb, CacheMaxSizeMb);
        Add("cache.eviction_policy", before.EvictionPolicy, EvictionPolicy);
        Add("cache.ttl", before.CacheTtl, CacheTtl);
        Add("load_balancing.algorithm", before.Algorithm, Algorithm);
        Add("scaling.min_instances", before.MinInstances, MinInstances);
        Add("scaling.max_instances", before.MaxInstances, MaxInstances);
        Add("scaling.scale_up_threshold", before.ScaleUpThreshold, ScaleUpThreshold);
        Add("scaling.scale_down_threshold", before.ScaleDownThreshold, ScaleDownThreshold);
        return [.. changes];
    }
}
