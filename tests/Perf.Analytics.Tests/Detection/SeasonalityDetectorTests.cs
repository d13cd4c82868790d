using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

public sealed class SeasonalityDetectorTests
{
    /// <summary>mlnet-vectors section 11f: y_t = sin(2 pi + t), t = 0..99.</summary>
    private static readonly double[] Sine = [.. Enumerable.Range(0, 100).Select(t => Math.Sin((2 * Math.PI) + t))];

    [Theory]
    [InlineData(-1, 6)]
    [InlineData(60, 6)]
    [InlineData(20, -1)]
    public void Section11f_TestDetectSeasonality(int windowSize, int expected)
    {
        Assert.Equal(expected, SeasonalityDetector.Detect(Sine, windowSize));
    }

    [Fact]
    public void DefaultArgumentsUseTheWholeSeries()
    {
        Assert.Equal(6, SeasonalityDetector.Detect(Sine));
        Assert.Equal(6, SeasonalityDetector.Detect(Sine, windowSize: 1000));
    }

    [Theory]
    [InlineData(24, 24 * 10)]
    [InlineData(7, 200)]
    [InlineData(12, 1000)]
    [InlineData(50, 400)]
    public void FindsThePeriodOfANoisySeasonalSeries(int period, int length)
    {
        var random = new Random(period);
        var values = new double[length];
        for (int t = 0; t < length; t++)
        {
            double phase = 2 * Math.PI * t / period;
            values[t] = 50 + (10 * Math.Sin(phase)) + (3 * Math.Cos(2 * phase)) + (random.NextDouble() * 4) - 2;
        }

        Assert.Equal(period, SeasonalityDetector.Detect(values));
    }

    [Fact]
    public void SquareWaveReportsItsPeriod()
    {
        var values = Enumerable.Range(0, 480).Select(t => t % 16 < 8 ? 1.0 : -1.0).ToArray();

        Assert.Equal(16, SeasonalityDetector.Detect(values));
    }

    [Fact]
    public void WhiteNoiseHasNoPeriod()
    {
        int found = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var values = Enumerable.Range(0, 500).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
            if (SeasonalityDetector.Detect(values) != -1)
            {
                found++;
            }
        }

        // At 0.95 a few false periods are possible, not many.
        Assert.True(found <= 3, $"{found} of 20 noise series got a period");
    }

    [Fact]
    public void TooFewRepetitionsOrDegenerateInputGiveMinusOne()
    {
        Assert.Equal(-1, SeasonalityDetector.Detect(Enumerable.Range(0, 60).Select(t => Math.Sin(2 * Math.PI * t / 10)).ToArray()));
        Assert.Equal(-1, SeasonalityDetector.Detect(new double[200]));
        Assert.Equal(-1, SeasonalityDetector.Detect(Enumerable.Repeat(3.0, 200).ToArray()));
        Assert.Equal(-1, SeasonalityDetector.Detect([1.0, 2.0, 3.0]));
        Assert.Equal(-1, SeasonalityDetector.Detect(ReadOnlySpan<double>.Empty));
    }

    [Fact]
    public void ThresholdOneRejectsEverythingAndZeroAcceptsTheCandidate()
    {
        Assert.Equal(-1, SeasonalityDetector.Detect(Sine, randomnessThreshold: 1));
        Assert.Equal(6, SeasonalityDetector.Detect(Sine, randomnessThreshold: 0));
    }

    [Theory]
    [InlineData(0.95, 1.6448536269514722)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.5, 0)]
    [InlineData(0.01, -2.3263478740408408)]
    [InlineData(0.999, 3.090232306167813)]
    public void ProbitIsTheNormalQuantile(double p, double expected)
    {
        Assert.Equal(expected, SeasonalityDetector.Probit(p), 1e-8);
    }

    [Fact]
    public void InvalidArguments()
    {
        Assert.Equal("windowSize", Assert.Throws<ArgumentOutOfRangeException>(() => SeasonalityDetector.Detect(Sine, 0)).ParamName);
        Assert.Equal("windowSize", Assert.Throws<ArgumentOutOfRangeException>(() => SeasonalityDetector.Detect(Sine, -2)).ParamName);
        Assert.Equal(
            "randomnessThreshold",
            Assert.Throws<ArgumentOutOfRangeException>(() => SeasonalityDetector.Detect(Sine, -1, 1.5)).ParamName);
        var withNaN = Sine.ToArray();
        withNaN[5] = double.NaN;
        Assert.Throws<ArgumentException>(() => SeasonalityDetector.Detect(withNaN));
        Assert.Equal(6, SeasonalityDetector.Detect(withNaN.AsSpan(10)));
    }
}
