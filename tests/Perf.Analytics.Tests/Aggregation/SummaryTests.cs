using Perf.Analytics.Aggregation;
using Xunit;

namespace Perf.Analytics.Tests.Aggregation;

public sealed class SummaryTests
{
    [Fact]
    public void Of_NoValues_IsNaNWithCountZero()
    {
        var summary = Summary.Of([]);

        Assert.Equal(0, summary.Count);
        Assert.True(double.IsNaN(summary.Avg));
        Assert.True(double.IsNaN(summary.Min));
        Assert.True(double.IsNaN(summary.Max));
    }

    [Theory]
    [InlineData(new[] { 7.0 }, 7.0, 7.0, 7.0)]
    [InlineData(new[] { 2.0, 4.0, 9.0 }, 5.0, 2.0, 9.0)]
    [InlineData(new[] { 3.0, -1.5, 0.0, -1.5 }, 0.0, -1.5, 3.0)]
    [InlineData(new[] { 1e16, 1.0, -1e16 }, 1.0 / 3, -1e16, 1e16)] // compensated: a naive sum loses the 1
    [InlineData(new[] { 1.0, double.PositiveInfinity }, double.PositiveInfinity, 1.0, double.PositiveInfinity)]
    public void Of_ComputesAverageAndExtremes(double[] values, double avg, double min, double max)
    {
        var summary = Summary.Of(values);

        Assert.Equal(new Summary(avg, min, max, values.Length), summary);
    }

    [Fact]
    public void Of_PropagatesNaN()
    {
        var summary = Summary.Of([1, double.NaN, 3]);

        Assert.Equal(3, summary.Count);
        Assert.True(double.IsNaN(summary.Avg));
        Assert.True(double.IsNaN(summary.Min));
        Assert.True(double.IsNaN(summary.Max));
    }

    [Fact]
    public void Of_AgreesWithTheDownsamplerReductions()
    {
        var random = new Random(5);
        for (int round = 0; round < 100; round++)
        {
            double[] values = [.. Enumerable.Range(0, random.Next(1, 500)).Select(_ => (random.NextDouble() - 0.3) * 1_000)];

            var summary = Summary.Of(values);

            Assert.Equal(Downsampler.Reduce(values, AggregationKind.Avg), summary.Avg);
            Assert.Equal(Downsampler.Reduce(values, AggregationKind.Min), summary.Min);
            Assert.Equal(Downsampler.Reduce(values, AggregationKind.Max), summary.Max);
            Assert.Equal(values.Length, summary.Count);
            Assert.Equal(values.Average(), summary.Avg, 1e-9);
        }
    }
}
