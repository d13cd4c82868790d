namespace Perf.Actors.Configuration;

/// <summary>The product document's <c>optimization</c> section.</summary>
public sealed record OptimizationSettings(
    bool CacheEnabled, long CacheMaxSizeBytes, string CacheEvictionPolicy, TimeSpan CacheTtl,
    bool LoadBalancingEnabled, string LoadBalancingAlgorithm, TimeSpan HealthCheckInterval,
    bool ScalingEnabled, int MinInstances, int MaxInstances, double ScaleUpThreshold, double ScaleDownThreshold)
{
    public static OptimizationSettings Read(ConfigReader config)
    {
        var settings = new OptimizationSettings(
            config.Bool("optimization.cache.enabled"),
            config.Bytes("optimization.cache.max_size"),
            config.OneOf("optimization.cache.eviction_policy", "lru", "lfu", "fifo"),
            config.Duration("optimization.cache.ttl", TimeSpan.Zero),
            config.Bool("optimization.load_balancing.enabled"),
            config.OneOf("optimization.load_balancing.algorithm", "round_robin", "least_connections", "weighted"),
            config.Duration("optimization.load_balancing.health_check_interval", TimeSpan.FromSeconds(1)),
            config.Bool("optimization.scaling.enabled"),
            config.Int("optimization.scaling.min_instances", 0),
            config.Int("optimization.scaling.max_instances", 1),
            config.Double("optimization.scaling.scale_up_threshold", 0, 100),
            config.Double("optimization.scaling.scale_down_threshold", 0, 100));
        if (settings.MaxInstances < settings.MinInstances)
            throw new PerfConfigurationException("optimization.scaling.max_instances", $"{settings.MaxInstances} is below min_instances {settings.MinInstances}");
        if (settings.ScaleDownThreshold >= settings.ScaleUpThreshold)
            throw new PerfConfigurationException("optimization.scaling.scale_down_threshold", "must be below scale_up_threshold");
        return settings;
    }
}
