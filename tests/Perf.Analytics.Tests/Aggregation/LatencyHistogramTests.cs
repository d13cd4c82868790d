using Xunit;
using Perf.Analytics.Aggregation;

namespace Perf.Analytics.Tests.Aggregation;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_of_one_to_a_thousand_milliseconds_are_within_the_bucket_precision()
    {
        var histogram = new LatencyHistogram();
        // Shuffled, because the order of recording must not matter.
        foreach (var milliseconds in Enumerable.Range(1, 1000).OrderBy(value => (value * 7919) % 1000))
        {
            histogram.Record(TimeSpan.FromMilliseconds(milliseconds));
        }

        Assert.Equal(1000, histogram.Count);
        Assert.Equal(500, histogram.PercentileMilliseconds(50), tolerance: 500 * 0.01);
        Assert.Equal(990, histogram.PercentileMilliseconds(99), tolerance: 990 * 0.01);
        Assert.Equal(1000, histogram.PercentileMilliseconds(100));
        Assert.Equal(1, histogram.PercentileMilliseconds(0));
        Assert.Equal(1000, histogram.MaxMilliseconds);
        Assert.Equal(1, histogram.MinMilliseconds);
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        foreach (var microseconds in new long[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 })
        {
            histogram.RecordMicroseconds(microseconds);
        }

        Assert.Equal(0.050, histogram.PercentileMilliseconds(50), precision: 9);
        Assert.Equal(0.100, histogram.PercentileMilliseconds(99), precision: 9);
        Assert.Equal(0.010, histogram.PercentileMilliseconds(10), precision: 9);
    }

    [Fact]
    public void A_slow_tail_shows_in_p99_and_not_in_p50()
    {
        var histogram = new LatencyHistogram();
        for (var index = 0; index < 980; index++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(2));
        }

        for (var index = 0; index < 20; index++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(2, histogram.PercentileMilliseconds(50), tolerance: 2 * 0.01);
        Assert.Equal(250, histogram.PercentileMilliseconds(99), tolerance: 250 * 0.01);
    }

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.PercentileMilliseconds(99));
        Assert.Equal(0, histogram.MaxMilliseconds);
    }

    [Fact]
    public void Buckets_are_contiguous_and_every_value_lands_inside_its_bucket()
    {
        var previousHigh = -1L;
        for (var bucket = 0; bucket < 1000; bucket++)
        {
            var (low, high) = LatencyHistogram.BoundsOf(bucket);
            Assert.Equal(previousHigh + 1, low);
            Assert.True(high >= low);
            Assert.Equal(bucket, LatencyHistogram.BucketOf(low));
            Assert.Equal(bucket, LatencyHistogram.BucketOf(high));
            // Relative width stays under 1/64 above the exact range.
            Assert.True(high - low <= Math.Max(0, low / 64));
            previousHigh = high;
        }
    }

    [Fact]
    public async Task Recording_from_many_threads_loses_nothing()
    {
        var histogram = new LatencyHistogram();
        var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(() =>
        {
            for (var index = 0; index < 10_000; index++)
            {
                histogram.RecordMicroseconds(writer * 1000 + index % 1000);
            }
        }, TestContext.Current.CancellationToken));

        await Task.WhenAll(writers);

        Assert.Equal(80_000, histogram.Count);
    }
}
