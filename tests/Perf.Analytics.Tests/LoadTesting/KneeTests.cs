using Xunit;
using Perf.Analytics.Aggregation;
using Perf.Analytics.LoadTesting;

namespace Perf.Analytics.Tests.LoadTesting;

public sealed class KneeTests
{
    /// <summary>A ramp of 10 rps per second against a target that serves 100 rps: latency queues up past 100.</summary>
    private static LoadSecond[] Ramp(Func<double, (double Throughput, double P95, double ErrorRate)> target) =>
        Enumerable.Range(1, 20).Select(i =>
        {
            var rate = 10.0 * i;
            var (throughput, p95, errors) = target(rate);
            return new LoadSecond(i * 1000L, rate, throughput, p95, errors);
        }).ToArray();

    [Fact]
    public void Latency_that_turns_past_the_capacity_is_the_knee()
    {
        var knee = Knee.Find(Ramp(rate => (Math.Min(rate, 100), rate <= 100 ? 20 + rate * 0.01 : 20 + (rate - 100) * 5, 0)));

        Assert.NotNull(knee);
        Assert.Equal("latency", knee.Reason);
        Assert.Equal(110, knee.Rate);
        Assert.Equal(20, knee.BaselineP95Ms, 0.5);
    }

    [Fact]
    public void Errors_turn_the_knee_when_latency_holds()
    {
        var knee = Knee.Find(Ramp(rate => (rate, 10, rate > 150 ? 0.3 : 0)));

        Assert.Equal(("errors", 160.0), (knee!.Reason, knee.Rate));
    }

    [Fact]
    public void One_slow_second_is_not_a_knee_and_a_steady_load_has_none()
    {
        var seconds = Ramp(rate => (rate, rate == 50 ? 200 : 10, 0));

        Assert.Null(Knee.Find(seconds));
        Assert.Null(Knee.Find(seconds.Take(3).ToArray()));
    }

    [Fact]
    public void A_histogram_exported_and_imported_gives_the_same_percentiles()
    {
        var histogram = new LatencyHistogram();
        foreach (var ms in Enumerable.Range(1, 500)) histogram.Record(TimeSpan.FromMilliseconds(ms));
        var other = new LatencyHistogram();
        other.Record(TimeSpan.FromSeconds(2));

        var (buckets, counts, min, max) = histogram.Export();
        var back = LatencyHistogram.Import(buckets, counts, min, max);
        back.Add(other);

        Assert.Equal(501, back.Count);
        Assert.Equal(histogram.PercentileMilliseconds(50), back.PercentileMilliseconds(50));
        Assert.Equal(2000, back.MaxMilliseconds);
        Assert.Equal(1, back.MinMilliseconds);
        Assert.True(buckets.Length < 500, "sparse: far fewer buckets than values");
    }
}
