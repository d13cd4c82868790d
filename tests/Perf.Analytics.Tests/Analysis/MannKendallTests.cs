using Perf.Analytics.Analysis;
using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Analysis;

public sealed class MannKendallTests
{
    private const long Start = 1_790_000_000_000;
    private const long FiveMinutesMs = 300_000;

    private static DataPoint[] Series(params double[] values) =>
        [.. values.Select((v, i) => new DataPoint(Start + i * FiveMinutesMs, v))];

    private static DataPoint[] NoisyLine(int count, double slopePerHour, double noise, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
            new DataPoint(Start + i * FiveMinutesMs, 100 + slopePerHour * i / 12.0 + noise * (2 * random.NextDouble() - 1)))];
    }

    // [1, 2, 2, 4, 3]: S = (+4 from the 1) + (+2 from the first 2: tie, 4, 3) + (+2 from the second 2) + (-1 from 4 > 3) = 7.
    //   Var(S) = [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18 = [5·4·15 - 2·1·9] / 18 = 282/18 = 15.667 (one tie of two).
    //   Z = (S - 1) / √Var = 6 / 3.9581 = 1.51587; p = 2(1 - Φ(1.51587)) = 0.129551 (pymannkendall original_test agrees).
    //   tau-b = S / √(n0 (n0 - n1)) = 7 / √(10 · 9) = 0.737865.
    // [1, 2, 3, 4, 5]: S = 10, Var = 300/18 = 16.667, Z = 9 / 4.0825 = 2.20454, p = 0.027486, tau = 1.
    // [5, 4, 3, 2, 1]: the mirror image: S = -10, Z = -2.20454, same p, tau = -1.
    [Theory]
    [InlineData(new[] { 1.0, 2, 2, 4, 3 }, 7, 0.1295513529, 0.7378647874, TrendDirection.Stable)]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, 10, 0.0274863361, 1.0, TrendDirection.Increasing)]
    [InlineData(new[] { 5.0, 4, 3, 2, 1 }, -10, 0.0274863361, -1.0, TrendDirection.Decreasing)]
    public void A_hand_computed_example_gives_the_known_statistics(double[] values, long s, double p, double tau, TrendDirection direction)
    {
        var result = MannKendall.Test(Series(values), minConfidence: 0.95);

        Assert.Equal(s, MannKendall.StatisticS(values));
        Assert.Equal(p, result.PValue, 1e-6); // the shared erf approximation is good to 1.5e-7
        Assert.Equal(1 - p, result.Confidence, 1e-6);
        Assert.Equal(tau, result.KendallTau, 1e-9);
        Assert.Equal(direction, result.Direction);
        Assert.Equal(values.Length, result.Samples);
    }

    [Theory]
    [InlineData(2.0, 1)]
    [InlineData(0.5, 2)]
    [InlineData(-3.0, 3)]
    public void A_noisy_line_has_its_direction_and_slope_per_hour(double slopePerHour, int seed)
    {
        // 500 five-minute samples: almost 42 hours; the noise is several times the change per sample.
        var result = MannKendall.Test(NoisyLine(500, slopePerHour, noise: 5, seed), minConfidence: 0.95);

        Assert.Equal(slopePerHour > 0 ? TrendDirection.Increasing : TrendDirection.Decreasing, result.Direction);
        Assert.InRange(result.SlopePerHour, slopePerHour - 0.1 * Math.Abs(slopePerHour), slopePerHour + 0.1 * Math.Abs(slopePerHour));
        Assert.True(result.Confidence > 0.99, $"confidence {result.Confidence}");
        Assert.Equal(result.KendallTau > 0, slopePerHour > 0);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void A_flat_noisy_series_is_stable(int seed)
    {
        var result = MannKendall.Test(NoisyLine(300, 0, noise: 5, seed), minConfidence: 0.95);

        Assert.Equal(TrendDirection.Stable, result.Direction);
        Assert.True(result.Confidence < 0.95);
        Assert.InRange(result.SlopePerHour, -0.5, 0.5);
    }

    [Fact]
    public void A_lower_bar_lets_a_weaker_trend_through()
    {
        // [1, 2, 2, 4, 3] is 87% sure.
        var points = Series(1, 2, 2, 4, 3);

        Assert.Equal(TrendDirection.Stable, MannKendall.Test(points, 0.9).Direction);
        Assert.Equal(TrendDirection.Increasing, MannKendall.Test(points, 0.8).Direction);
    }

    [Fact]
    public void A_constant_series_is_stable_with_p_one()
    {
        var result = MannKendall.Test(Series(7, 7, 7, 7, 7, 7), minConfidence: 0);

        Assert.Equal(new TrendResult(TrendDirection.Stable, 0, 0, 1, 0, 6), result);
    }

    [Theory]
    [InlineData(new double[0])]
    [InlineData(new[] { 1.0 })]
    [InlineData(new[] { 1.0, 2.0 })]
    [InlineData(new[] { 1.0, double.NaN, double.NaN, 2.0 })]
    [InlineData(new[] { double.NaN, double.PositiveInfinity, 3.0, double.NaN })]
    public void Fewer_than_three_finite_points_are_stable_with_confidence_zero(double[] values)
    {
        var result = MannKendall.Test(Series(values), minConfidence: 0);

        Assert.Equal(TrendDirection.Stable, result.Direction);
        Assert.Equal(0, result.Confidence);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void NaN_values_are_skipped_not_counted()
    {
        var clean = Series(1, 2, 2, 4, 3);
        var withGaps = new[] { clean[0], new(clean[0].TimestampMs + 1, double.NaN), clean[1], clean[2], new(clean[2].TimestampMs + 1, double.NaN), clean[3], clean[4] };

        Assert.Equal(MannKendall.Test(clean, 0.5), MannKendall.Test(withGaps, 0.5));
    }

    [Fact]
    public void Input_order_does_not_matter_only_timestamps_do()
    {
        var points = NoisyLine(200, 1, noise: 3, seed: 4);
        var random = new Random(6);
        var shuffled = points.OrderBy(_ => random.Next()).ToArray();

        Assert.Equal(MannKendall.Test(points, 0.95), MannKendall.Test(shuffled, 0.95));
    }

    [Fact]
    public void A_long_series_is_thinned_to_the_maximum_and_keeps_its_slope()
    {
        var result = MannKendall.Test(NoisyLine(5000, 0.25, noise: 5, seed: 5), minConfidence: 0.95);

        Assert.Equal(MannKendall.MaxSamples, result.Samples);
        Assert.Equal(TrendDirection.Increasing, result.Direction);
        Assert.InRange(result.SlopePerHour, 0.225, 0.275);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void A_confidence_outside_zero_to_one_is_rejected(double minConfidence)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MannKendall.Test(Series(1, 2, 3), minConfidence));
    }
    /// <summary>Hourly points from a UTC midnight: <paramref name="slopePerHour"/> under a daily cycle of ±<paramref name="amplitude"/>
    /// peaking at <paramref name="peakHour"/>, with noise of ±<paramref name="noise"/>.</summary>
    private static DataPoint[] Hourly(int hours, double slopePerHour, double amplitude, int peakHour = 14, double noise = 1, int seed = 1, int startHour = 0)
    {
        var midnight = Start - Start % 86_400_000;
        var random = new Random(seed);
        return [.. Enumerable.Range(startHour, hours).Select(h => new DataPoint(midnight + h * 3_600_000L,
            50 + slopePerHour * (h - startHour) + amplitude * Math.Cos(2 * Math.PI * (h - peakHour) / 24) + noise * (2 * random.NextDouble() - 1)))];
    }

    [Fact]
    public void A_slow_rise_under_a_daily_cycle_is_found_through_the_cycle_whatever_hour_the_range_starts()
    {
        // 72 hourly points rising 0.2 %/h under ±25 % a day, noise ±5: the plain test's verdict depends on where in the
        // cycle the range starts and ends.
        var plain = new List<TrendDirection>();
        for (var startHour = 0; startHour < 24; startHour++)
        {
            var points = Hourly(72, 0.2, 25, noise: 5, startHour: startHour, seed: startHour);

            var result = MannKendall.TestThroughDailyCycle(points, 0.9);

            Assert.Equal(TrendDirection.Increasing, result.Direction);
            Assert.InRange(result.SlopePerHour, 0.1, 0.3);
            plain.Add(MannKendall.Test(points, 0.9).Direction);
        }
        Assert.Contains(TrendDirection.Stable, plain);
    }

    [Fact]
    public void A_flat_daily_cycle_is_no_confident_trend_whatever_hours_the_range_cuts_it_at()
    {
        for (var startHour = 0; startHour < 24; startHour++)
        {
            var points = Hourly(61, 0, 25, noise: 5, startHour: startHour, seed: startHour);

            var result = MannKendall.TestThroughDailyCycle(points, 0.99);

            Assert.Equal(TrendDirection.Stable, result.Direction);
            Assert.InRange(result.SlopePerHour, -0.1, 0.1);
        }
    }

    [Fact]
    public void Without_a_daily_cycle_or_two_days_it_is_the_plain_test()
    {
        var line = NoisyLine(100, 2, 1, 7); // five-minute points over 8 hours
        Assert.Equal(MannKendall.Test(line, 0.9), MannKendall.TestThroughDailyCycle(line, 0.9));
        var flat = Hourly(96, 0.1, 0); // four days, no cycle: the hours do not differ
        Assert.Equal(MannKendall.Test(flat, 0.9), MannKendall.TestThroughDailyCycle(flat, 0.9));
    }
}
