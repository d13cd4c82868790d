namespace Perf.Actors.Optimization;

/// <summary>The values an optimize request sets; null ones keep the host's current value.</summary>
public sealed record PolicyChange(
    long? CacheMaxSizeBytes = null, string? EvictionPolicy = null, TimeSpan? CacheTtl = null,
    string? Algorithm = null,
    int? MinInstances = null, int? MaxInstances = null, double? ScaleUpThreshold = null, double? ScaleDownThreshold = null);
