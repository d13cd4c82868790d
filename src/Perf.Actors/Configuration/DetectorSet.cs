namespace Perf.Actors.Configuration;

/// <summary>
/// The detectors of one metric family and when their findings start to count: no anomaly is recorded before a series has
/// fed <paramref name="MinDataPoints"/> points to its detectors (the document's <c>min_data_points</c>).
/// </summary>
public sealed record DetectorSet(string Family, int MinDataPoints, IReadOnlyList<DetectorSpec> Detectors)
{
    /// <summary>What a series runs when analysis is disabled.</summary>
    public static DetectorSet None { get; } = new("none", 0, []);
}
