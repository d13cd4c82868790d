using Perf.Analytics.Analysis;
using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Analysis;

public sealed class CorrelationTests
{
    private const long Start = 1_790_000_000_000;
    private const long BucketMs = 60_000;

    private static DataPoint[] Series(IEnumerable<double> values) =>
        [.. values.Select((v, i) => new DataPoint(Start + i * BucketMs, v))];

    private static double[] Noise(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() * 100)];
    }

    [Fact]
    public void A_series_and_twice_itself_plus_a_little_noise_correlate_almost_perfectly()
    {
        var x = Enumerable.Range(0, 200).Select(i => (double)i).ToArray();
        var random = new Random(1);
        var y = x.Select(v => 2 * v + random.NextDouble() - 0.5);

        var result = Correlation.Compute(Series(x), Series(y), BucketMs, maxLagBuckets: 0);

        Assert.InRange(result.Pearson, 0.999, 1);
        Assert.InRange(result.Spearman, 0.999, 1);
        Assert.Equal(200, result.Samples);
    }

    [Fact]
    public void A_series_and_its_negation_correlate_at_minus_one()
    {
        var x = Noise(100, 2);

        var result = Correlation.Compute(Series(x), Series(x.Select(v => -v)), BucketMs, maxLagBuckets: 0);

        Assert.Equal(-1, result.Pearson, 1e-12);
        Assert.Equal(-1, result.Spearman, 1e-12);
        Assert.Equal(0, result.BestLagBuckets);
        Assert.Equal(-1, result.BestLagCorrelation, 1e-12);
    }

    [Fact]
    public void Spearman_credits_a_monotonic_curve_fully_where_Pearson_does_not()
    {
        var x = Enumerable.Range(1, 50).Select(i => (double)i).ToArray();

        var result = Correlation.Compute(Series(x), Series(x.Select(v => Math.Exp(v / 5))), BucketMs, 0);

        Assert.Equal(1, result.Spearman, 1e-12);
        Assert.True(result.Pearson < 0.9, $"pearson {result.Pearson}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-2)]
    [InlineData(0)]
    public void A_shifted_copy_is_found_at_its_lag(int shift)
    {
        // b at bucket i + shift is a at bucket i: b follows a by 'shift' buckets.
        var a = Series(Noise(300, 3));
        var b = a.Select(p => p with { TimestampMs = p.TimestampMs + shift * BucketMs }).ToArray();

        var result = Correlation.Compute(a, b, BucketMs, maxLagBuckets: 5);

        Assert.Equal(shift, result.BestLagBuckets);
        Assert.Equal(1, result.BestLagCorrelation, 1e-12);
        Assert.Equal(300 - Math.Abs(shift), result.Samples);
        if (shift != 0) Assert.InRange(Math.Abs(result.Pearson), 0, 0.3); // unshifted, independent noise
    }

    [Fact]
    public void A_lag_beyond_the_search_range_is_not_found()
    {
        var a = Series(Noise(300, 4));
        var b = a.Select(p => p with { TimestampMs = p.TimestampMs + 8 * BucketMs }).ToArray();

        var result = Correlation.Compute(a, b, BucketMs, maxLagBuckets: 5);

        Assert.InRange(Math.Abs(result.BestLagBuckets), 0, 5);
        Assert.True(Math.Abs(result.BestLagCorrelation) < 0.3);
    }

    [Fact]
    public void A_constant_series_has_no_correlation()
    {
        var result = Correlation.Compute(Series(Noise(50, 5)), Series(Enumerable.Repeat(42.0, 50)), BucketMs, maxLagBuckets: 3);

        Assert.True(double.IsNaN(result.Pearson));
        Assert.True(double.IsNaN(result.Spearman));
        Assert.True(double.IsNaN(result.BestLagCorrelation));
        Assert.Equal(0, result.BestLagBuckets);
        Assert.Equal(50, result.Samples);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Fewer_than_three_pairs_have_no_correlation(int count)
    {
        var result = Correlation.Compute(Series(Noise(count, 6)), Series(Noise(count, 7)), BucketMs, maxLagBuckets: 1);

        Assert.True(double.IsNaN(result.Pearson));
        Assert.True(double.IsNaN(result.Spearman));
        Assert.True(double.IsNaN(result.BestLagCorrelation));
        Assert.Equal(count, result.Samples);
    }

    [Fact]
    public void Pairs_are_made_by_timestamp_and_NaN_pairs_are_dropped()
    {
        // a has every bucket; b misses some and has NaN in others. Only the shared finite buckets count, so the result
        // equals that of the hand-aligned pairs.
        var a = Series([1, 2, 3, 4, 5, 6, 7, 8]);
        DataPoint[] b = [new(Start, 10), new(Start + 2 * BucketMs, 25), new(Start + 3 * BucketMs, double.NaN),
            new(Start + 5 * BucketMs, 61), new(Start + 7 * BucketMs, 79), new(Start + 100 * BucketMs, 5)];

        var result = Correlation.Compute(a, b, BucketMs, maxLagBuckets: 0);

        Assert.Equal(4, result.Samples);
        Assert.Equal(Correlation.Pearson([1, 3, 6, 8], [10, 25, 61, 79]), result.Pearson, 1e-15);
        Assert.Equal(1, result.Spearman, 1e-15);
    }

    // x = [1, 2, 2, 3] has ranks [1, 2.5, 2.5, 4]; y = [10, 20, 30, 40] ranks [1, 2, 3, 4]. Both centre on 2.5:
    // Σdx·dy = 2.25 + 0 + 0 + 2.25 = 4.5, Σdx² = 4.5, Σdy² = 5, so rho = 4.5 / √22.5 = 0.9486833.
    [Fact]
    public void Tied_values_share_their_average_rank()
    {
        Assert.Equal([1, 2.5, 2.5, 4], Correlation.AverageRanks([1, 2, 2, 3]));
        Assert.Equal([2, 2, 2], Correlation.AverageRanks([5, 5, 5]));
        Assert.Equal([3, 1, 2], Correlation.AverageRanks([9, -1, 0]));
        Assert.Equal(0.9486833, Correlation.Spearman([1, 2, 2, 3], [10, 20, 30, 40]), 1e-7);
    }

    // Far from zero with small swings: the one-pass formula would lose everything to cancellation here.
    [Fact]
    public void Pearson_is_exact_for_large_offsets()
    {
        Assert.Equal(1, Correlation.Pearson([1e9 + 1, 1e9 + 2, 1e9 + 3], [5, 6, 7]), 1e-12);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Correlation.Compute([], [], 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Correlation.Compute([], [], BucketMs, -1));
        Assert.Throws<ArgumentException>(() => Correlation.Pearson([1, 2, 3], [1, 2]));
    }
}
