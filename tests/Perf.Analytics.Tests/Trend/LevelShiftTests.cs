using Perf.Analytics.Trend;
using Xunit;

namespace Perf.Analytics.Tests.Trend;

public sealed class LevelShiftTests
{
    /// <summary>100 values: noise of sd 1 around 40, a rise of <paramref name="slopePerStep"/>, a daily-like cycle of
    /// <paramref name="cycle"/> amplitude over 24 steps, and from <paramref name="shiftAt"/> on <paramref name="jump"/> more.</summary>
    private static double[] Series(int shiftAt = -1, double jump = 0, double slopePerStep = 0, double cycle = 0, int seed = 3, int n = 100)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return 40 + noise + slopePerStep * i + cycle * Math.Sin(2 * Math.PI * i / 24) + (shiftAt >= 0 && i >= shiftAt ? jump : 0);
        }).ToArray();
    }

    [Theory]
    [InlineData(60, 40.0)] // a memory level shift: 40 % -> 80 %
    [InlineData(30, -25.0)] // a disk cleaned
    [InlineData(94, 40.0)] // late in the range, with the level held for the last six values
    public void Finds_where_the_last_level_began(int shiftAt, double jump) =>
        Assert.Equal(shiftAt, LevelShift.Last(Series(shiftAt, jump)));

    [Fact]
    public void Finds_the_later_of_two_shifts()
    {
        var values = Series(30, 20);
        for (var i = 70; i < values.Length; i++) values[i] += 20;

        Assert.Equal(70, LevelShift.Last(values));
    }

    [Fact]
    public void Finds_a_shift_in_a_rising_series()
    {
        Assert.Equal(50, LevelShift.Last(Series(50, 30, slopePerStep: 0.5)));
    }

    [Theory]
    [InlineData(0.0, 0.0)] // flat noise
    [InlineData(1.0, 0.0)] // a steady rise, steep against the noise
    [InlineData(0.2, 0.0)]
    [InlineData(0.0, 25.0)] // a daily cycle of +-25 around the level
    [InlineData(0.2, 25.0)]
    public void A_trend_or_a_cycle_is_no_shift(double slopePerStep, double cycle)
    {
        for (var seed = 0; seed < 20; seed++) Assert.Equal(-1, LevelShift.Last(Series(slopePerStep: slopePerStep, cycle: cycle, seed: seed)));
    }

    [Fact]
    public void A_spike_or_two_is_no_shift()
    {
        var values = Series();
        values[40] = 99.5;
        values[70] = 99;
        values[71] = 98;

        Assert.Equal(-1, LevelShift.Last(values));
    }

    [Fact]
    public void Too_short_a_series_has_none() => Assert.Equal(-1, LevelShift.Last(Series(5, 40, n: 10)));
}
