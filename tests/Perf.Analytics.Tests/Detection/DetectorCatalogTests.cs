using Xunit;
using Perf.Analytics.Detection;

namespace Perf.Analytics.Tests.Detection;

public sealed class DetectorCatalogTests
{
    [Theory]
    [InlineData("ensemble", 0.8, "sensitivity=0.8")]
    [InlineData("ensemble", 0.0, "sensitivity=0")]
    [InlineData("iid-spike", 0.8, "confidence=99.9")]
    [InlineData("ssa-spike", 0.8, "confidence=99.9")]
    [InlineData("iid-spike", 1.0, "confidence=99")]
    [InlineData("iid-spike", 0.6, "confidence=99.99")]
    [InlineData("iid-changepoint", 0.8, "confidence=95")]
    [InlineData("ssa-changepoint", 0.8, "confidence=95")]
    [InlineData("iid-changepoint", 1.0, "confidence=50")] // alpha 0.5 is the cap
    [InlineData("iid-changepoint", 0.6, "confidence=99.5")]
    public void Sensitivity_tunes_each_detector(string name, double sensitivity, string expected) =>
        Assert.Equal([expected], DetectorCatalog.SensitivityOptions(name, sensitivity));

    [Fact]
    public void Sensitivity_leaves_sr_alone_and_must_lie_in_zero_to_one()
    {
        Assert.Empty(DetectorCatalog.SensitivityOptions("sr", 0.8));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectorCatalog.SensitivityOptions("ensemble", 1.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectorCatalog.SensitivityOptions("ensemble", -0.1));
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(0.8)]
    [InlineData(0.9)]
    public void Every_detector_accepts_the_options_its_sensitivity_implies(double sensitivity)
    {
        foreach (var name in DetectorCatalog.Names)
        {
            var detector = DetectorCatalog.CreateFactory(
                name, DetectorCatalog.SensitivityOptions(name, sensitivity))();
            Assert.Equal(name, detector.Name);
        }
    }

    [Theory]
    [InlineData("iid-spike", "spike")]
    [InlineData("ssa-spike", "spike")]
    [InlineData("sr", "spike")]
    [InlineData("iid-changepoint", "changepoint")]
    [InlineData("ssa-changepoint", "changepoint")]
    [InlineData("ensemble", "anomaly")]
    public void Alerts_have_a_kind(string name, string kind) =>
        Assert.Equal(kind, DetectorCatalog.AlertKind(name));

    [Fact]
    public void A_later_option_overrides_an_earlier_one()
    {
        var detector = (IidSpikeDetector)DetectorCatalog.CreateFactory("iid-spike", ["confidence=99.9", "confidence=97"])();

        Assert.Equal(97, detector.Options.Confidence);
    }

    [Theory]
    [InlineData(1.0, 0.5)]
    [InlineData(1e6, 0.5)]
    public void SquashedMartingale_IsOneHalfAtTheAlertLevel(double scale, double expected)
    {
        // T = beta(1 - 95/100)^20 for the power martingale with eps 0.1.
        double beta = 0.1 * Math.Pow(0.05, 0.1 - 1);
        double threshold = Math.Pow(beta, 20);
        Assert.Equal(expected, DetectorCatalog.SquashMartingale(threshold, 95, 20, MartingaleType.Power, 0.1), 12);
        Assert.True(DetectorCatalog.SquashMartingale(threshold * scale * 10, 95, 20, MartingaleType.Power, 0.1) > expected);
        Assert.True(DetectorCatalog.SquashMartingale(threshold / (scale * 10), 95, 20, MartingaleType.Power, 0.1) < expected);
    }
}
