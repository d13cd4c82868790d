using Perf.Actors.Configuration;

namespace Perf.Actors.Tests.Series;

/// <summary>Detection settings for tests: one family that covers every metric.</summary>
internal static class TestDetection
{
    /// <summary>
    /// The shipped default family: ensemble, iid-spike and iid-changepoint (mixture martingale) at sensitivity 0.8, 100
    /// points of warm-up.
    /// </summary>
    public static DetectionSettings Default { get; } = With(100, 1000, "ensemble", "iid-spike", "iid-changepoint");

    public static DetectionSettings With(int minDataPoints, int maxAnomalies, params string[] detectors) =>
        new(true, maxAnomalies, [new DetectorFamily("all", [new MetricPattern("*")], Set(minDataPoints, detectors))]);

    public static DetectorSet Set(int minDataPoints, params string[] detectors) =>
        new("all", minDataPoints, detectors.Select(name => name == "iid-changepoint" ? Spec(name, minDataPoints, "martingale=mixture") : Spec(name, minDataPoints)).ToArray());

    public static DetectorSpec Spec(string name, int minDataPoints, params string[] options) =>
        DetectionSettings.Spec(name, 0.8, minDataPoints, options);
}
