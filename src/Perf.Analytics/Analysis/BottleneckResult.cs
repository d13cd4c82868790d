namespace Perf.Analytics.Analysis;

/// <summary>What <see cref="Bottleneck.Find"/> concluded, with the per-resource evidence (ordered by metric name).</summary>
/// <param name="SaturatesFirst">The resource that reached saturation first, else the one with the highest p95; null without data.</param>
/// <param name="SaturatesAtMs">When <paramref name="SaturatesFirst"/> reached saturation; null when none did.</param>
/// <param name="ExplainsResponseTime">The resource whose rank correlation with response time is strongest; null when none is defined.</param>
/// <param name="ExplanationCorrelation">That correlation, signed.</param>
public sealed record BottleneckResult(string? SaturatesFirst, long? SaturatesAtMs, string? ExplainsResponseTime, double? ExplanationCorrelation,
    IReadOnlyList<ResourceSaturation> Resources);
