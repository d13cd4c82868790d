namespace Perf.Analytics.Analysis;

/// <summary>One resource as <see cref="Bottleneck.Find"/> saw it.</summary>
/// <param name="Metric">The resource's metric name, e.g. "cpu.usage".</param>
/// <param name="P95">95th percentile of its finite values; NaN when it has none.</param>
/// <param name="ReachedSaturationMs">When it first reached the saturation level; null if it never did.</param>
/// <param name="ResponseTimeSpearman">Spearman correlation with the response time; null without response times or
/// when undefined (fewer than 3 shared buckets, or a constant side).</param>
public sealed record ResourceSaturation(string Metric, double P95, long? ReachedSaturationMs, double? ResponseTimeSpearman);
