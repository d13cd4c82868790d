using Perf.Protocols.Otlp;

namespace Perf.Protocols.Tests.Otlp;

public sealed class HistogramQuantilesTests
{
    [Fact]
    public void The_median_interpolates_inside_its_bucket()
    {
        // 10 values in (0, 10], 10 in (10, 20]: the median is the top of the first bucket, p75 halfway up the second.
        var buckets = HistogramQuantiles.Explicit([10, 20], [10, 10, 0], null, null);
        Assert.Equal(10, HistogramQuantiles.Estimate(0.5, buckets));
        Assert.Equal(15, HistogramQuantiles.Estimate(0.75, buckets));
    }

    [Fact]
    public void Min_and_max_bound_the_open_buckets()
    {
        var buckets = HistogramQuantiles.Explicit([10], [0, 4], 12, 20);
        Assert.Equal(20, HistogramQuantiles.Estimate(1, buckets));
        Assert.Equal(16, HistogramQuantiles.Estimate(0.5, buckets));
    }

    [Fact]
    public void Without_max_the_last_bucket_answers_its_lower_bound()
    {
        var buckets = HistogramQuantiles.Explicit([10], [0, 4], null, null);
        Assert.Equal(10, HistogramQuantiles.Estimate(0.99, buckets));
    }

    [Fact]
    public void An_empty_histogram_has_no_quantile()
    {
        Assert.Null(HistogramQuantiles.Estimate(0.5, HistogramQuantiles.Explicit([1, 2], [0, 0, 0], null, null)));
    }

    [Fact]
    public void Exponential_buckets_at_scale_zero_double()
    {
        // scale 0: base 2; offset 0: buckets (1,2], (2,4], (4,8].
        var buckets = HistogramQuantiles.Exponential(0, 0, 0, 0, [0, 2, 0], 0, [], null, null);
        Assert.Equal(3, HistogramQuantiles.Estimate(0.5, buckets));
    }
}
