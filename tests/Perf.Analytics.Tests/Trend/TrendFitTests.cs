using Perf.Analytics.Trend;
using Xunit;

namespace Perf.Analytics.Tests.Trend;

public sealed class TrendFitTests
{
    private const long Start = 1_790_000_000_000;

    private static (long[] T, double[] V) Line(int count, double slopePerSecond, double first, int everySeconds = 30)
    {
        var t = new long[count];
        var v = new double[count];
        for (var i = 0; i < count; i++) (t[i], v[i]) = (Start + i * everySeconds * 1000L, first + slopePerSecond * i * everySeconds);
        return (t, v);
    }

    [Theory]
    [InlineData(0.01, 50.0)]
    [InlineData(-0.5, 1000.0)]
    [InlineData(0.0, 42.0)]
    public void A_straight_line_is_recovered_exactly(double slope, double first)
    {
        var (t, v) = Line(120, slope, first);

        Assert.True(TrendFit.TryTheilSen(t, v, t[^1], out var line));

        Assert.Equal(slope, line.SlopePerSecond, 12);
        Assert.Equal(v[^1], line.ValueAtOrigin, 9);
    }

    [Fact]
    public void The_origin_only_moves_where_x_is_zero()
    {
        var (t, v) = Line(50, 0.02, 10);

        Assert.True(TrendFit.TryTheilSen(t, v, t[0], out var fromFirst));
        Assert.True(TrendFit.TryTheilSen(t, v, t[^1], out var fromLast));

        Assert.Equal(fromFirst.SlopePerSecond, fromLast.SlopePerSecond, 12);
        Assert.Equal(fromFirst.ValueAt((t[^1] - t[0]) / 1000.0), fromLast.ValueAtOrigin, 9);
    }

    [Fact]
    public void Spikes_on_a_fifth_of_the_samples_barely_move_the_line_where_least_squares_would_tilt()
    {
        var (t, v) = Line(100, 0.001, 60);
        for (var i = 0; i < v.Length; i += 5) v[i] += 40; // every fifth sample a spike

        Assert.True(TrendFit.TryTheilSen(t, v, t[^1], out var line));

        Assert.Equal(0.001, line.SlopePerSecond, 4);
        Assert.InRange(line.ValueAtOrigin, v[^1] - 1, v[^1] + 1);
    }

    [Fact]
    public void A_late_burst_of_outliers_does_not_predict_a_rise()
    {
        var (t, v) = Line(60, 0, 50);
        for (var i = 52; i < 60; i++) v[i] = 95; // the last 8 of 60 samples jump

        Assert.True(TrendFit.TryTheilSen(t, v, t[^1], out var line));

        Assert.InRange(line.ValueAt(4 * 3600), 40, 60);
    }

    [Fact]
    public void Even_counts_take_the_mean_of_the_middle_two()
    {
        // Pairwise slopes of (0,0), (1,1), (2,4), (3,9) per second: 1, 2, 3, 3, 4, 5 -> median 3.
        long[] t = [Start, Start + 1000, Start + 2000, Start + 3000];
        double[] v = [0, 1, 4, 9];

        Assert.True(TrendFit.TryTheilSen(t, v, Start, out var line));

        Assert.Equal(3, line.SlopePerSecond, 12);
        Assert.Equal(-1, line.ValueAtOrigin, 12); // what each sample says with that slope: 0, -2, -2, 0
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Fewer_than_two_samples_fit_nothing(int count)
    {
        var (t, v) = Line(count, 1, 1);

        Assert.False(TrendFit.TryTheilSen(t, v, Start, out _));
    }

    [Fact]
    public void Samples_all_at_one_instant_fit_nothing()
    {
        Assert.False(TrendFit.TryTheilSen([Start, Start, Start], [1.0, 2.0, 3.0], Start, out _));
    }

    [Fact]
    public void Median_of_many_equal_values_and_of_shuffled_values()
    {
        var equal = Enumerable.Repeat(7.0, 10_001).ToArray();
        Assert.Equal(7, TrendFit.MedianInPlace(equal));

        var shuffled = Enumerable.Range(1, 1000).Select(i => (double)i).OrderBy(i => (i * 7919) % 1000).ToArray();
        Assert.Equal(500.5, TrendFit.MedianInPlace(shuffled));
    }

    [Fact]
    public void Mismatched_lengths_are_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => TrendFit.TryTheilSen([Start], [1.0, 2.0], Start, out _));
    }

    [Fact]
    public void The_slope_interval_is_a_point_on_a_straight_line_and_covers_the_true_slope_of_a_noisy_one_about_95_times_in_100()
    {
        var (t, v) = Line(60, 0.01, 50);
        Assert.True(TrendFit.TryTheilSen(t, v, t[0], out _, out var exact));
        Assert.Equal(0.01, exact.Low, 12);
        Assert.Equal(0.01, exact.High, 12);

        var covered = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var noisy = v.Select(x => x + 3 * (random.NextDouble() - 0.5)).ToArray();
            Assert.True(TrendFit.TryTheilSen(t, noisy, t[0], out var line, out var interval));
            Assert.InRange(line.SlopePerSecond, interval.Low, interval.High);
            if (interval.Low <= 0.01 && 0.01 <= interval.High) covered++;
        }
        Assert.InRange(covered, 180, 200);
    }
}
