using Perf.Analytics.Detection;
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

    /// <summary>A detector with a bug: it throws on every point.</summary>
    public static DetectorSpec Broken { get; } = new("broken", "broken", () => new ThrowingDetector());

    private sealed class ThrowingDetector : IStreamingDetector
    {
        public string Name => "broken";
        public IReadOnlyList<string> OutputColumns { get; } = ["Alert", "Score"];
        public void Update(double value, Span<double> output) => throw new InvalidOperationException("detector bug");
        public void WriteState(BinaryWriter writer) => writer.Write(Name);
    }
}
