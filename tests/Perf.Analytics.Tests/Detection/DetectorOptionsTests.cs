using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

public sealed class DetectorOptionsTests
{
    [Fact]
    public void Defaults_AreMlNets()
    {
        Assert.Equal(new IidSpikeOptions(99, 100, AnomalySide.TwoSided), new IidSpikeOptions());
        Assert.Equal(new IidChangePointOptions(95, 20, MartingaleType.Power, 0.1), new IidChangePointOptions());
        Assert.Equal(
            new SsaSpikeOptions(99, 100, 100, 10, AnomalySide.TwoSided, ErrorFunction.SignedDifference, SsaScoringOrder.Batch),
            new SsaSpikeOptions());
        Assert.Equal(
            new SsaChangePointOptions(95, 20, 100, 10, ErrorFunction.SignedDifference, MartingaleType.Power, 0.1, SsaScoringOrder.Batch),
            new SsaChangePointOptions());
    }

    public static TheoryData<string, Action> InvalidOptions() => new()
    {
        { "Confidence", () => _ = new IidSpikeDetector(new IidSpikeOptions(Confidence: 0)) },
        { "Confidence", () => _ = new IidSpikeDetector(new IidSpikeOptions(Confidence: 100)) },
        { "Confidence", () => _ = new IidSpikeDetector(new IidSpikeOptions(Confidence: double.NaN)) },
        { "PvalueHistoryLength", () => _ = new IidSpikeDetector(new IidSpikeOptions(PvalueHistoryLength: 0)) },
        { "Side", () => _ = new IidSpikeDetector(new IidSpikeOptions(Side: (AnomalySide)7)) },
        { "Confidence", () => _ = new IidChangePointDetector(new IidChangePointOptions(Confidence: -1)) },
        { "ChangeHistoryLength", () => _ = new IidChangePointDetector(new IidChangePointOptions(ChangeHistoryLength: 0)) },
        { "Martingale", () => _ = new IidChangePointDetector(new IidChangePointOptions(Martingale: 0)) },
        { "PowerMartingaleEpsilon", () => _ = new IidChangePointDetector(new IidChangePointOptions(PowerMartingaleEpsilon: 0)) },
        { "PowerMartingaleEpsilon", () => _ = new IidChangePointDetector(new IidChangePointOptions(PowerMartingaleEpsilon: 1)) },
        { "SeasonalityWindowSize", () => _ = new SsaSpikeDetector(new SsaSpikeOptions(SeasonalityWindowSize: 1)) },
        { "SeasonalityWindowSize", () => _ = new SsaChangePointDetector(new SsaChangePointOptions(TrainingWindowSize: 5000, SeasonalityWindowSize: 513)) },
        { "TrainingWindowSize", () => _ = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 20, SeasonalityWindowSize: 10)) },
        { "TrainingWindowSize", () => _ = new SsaChangePointDetector(new SsaChangePointOptions(TrainingWindowSize: 8, SeasonalityWindowSize: 4)) },
        { "PvalueHistoryLength", () => _ = new SsaSpikeDetector(new SsaSpikeOptions(PvalueHistoryLength: -3)) },
        { "ErrorFunction", () => _ = new SsaSpikeDetector(new SsaSpikeOptions(ErrorFunction: (ErrorFunction)9)) },
        { "ScoringOrder", () => _ = new SsaChangePointDetector(new SsaChangePointOptions(ScoringOrder: (SsaScoringOrder)2)) },
        { "Confidence", () => _ = new SsaChangePointDetector(new SsaChangePointOptions(Confidence: 100.5)) },
        { "ChangeHistoryLength", () => _ = new SsaChangePointDetector(new SsaChangePointOptions(ChangeHistoryLength: 0)) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOption_ThrowsArgumentOutOfRange_NamingIt(string parameter, Action create)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(parameter, exception.ParamName);
    }

    [Fact]
    public void SmallestValidSsaWindows_AreAccepted()
    {
        _ = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 5, SeasonalityWindowSize: 2));
        _ = new SsaChangePointDetector(new SsaChangePointOptions(TrainingWindowSize: 21, SeasonalityWindowSize: 10));
    }

    [Fact]
    public void PretrainingNeedsNFinitePoints()
    {
        var options = new SsaSpikeOptions(TrainingWindowSize: 15, SeasonalityWindowSize: 6);
        double[] tooShort = [.. Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? double.NaN : i)];
        Assert.Throws<ArgumentException>(() => new SsaSpikeDetector(options, tooShort));

        double[] withGaps = [.. Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? double.NaN : i % 5)];
        var detector = new SsaSpikeDetector(options, withGaps);
        Assert.True(detector.IsTrained);
    }
}
