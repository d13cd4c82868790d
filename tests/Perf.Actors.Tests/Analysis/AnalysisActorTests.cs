using Perf.Actors.Analysis;

namespace Perf.Actors.Tests.Analysis;

public sealed class AnalysisActorTests
{
    [Theory]
    [InlineData(24, 60_000, "24m")]
    [InlineData(-24, 60_000, "-24m")]
    [InlineData(0, 60_000, "0s")]
    [InlineData(-3, 3_600_000, "-3h")]
    public void A_best_lag_keeps_its_sign(int buckets, long bucketMs, string expected) =>
        Assert.Equal(expected, AnalysisComposer.Lag(buckets, bucketMs));

    [Theory]
    [InlineData(3_600_000L, 30_000L, 30_000L)]                 // 1h at the 30 s collection interval: 120 buckets
    [InlineData(86_400_000L, 30_000L, 60_000L)]                // 24h: 1,440 one-minute buckets
    [InlineData(259_200_000L, 30_000L, 180_000L)]              // 72h: three-minute buckets
    [InlineData(604_800_000L, 30_000L, 420_000L)]              // 7d: seven-minute buckets
    [InlineData(604_800_000L, 600_000L, 600_000L)]             // never finer than the collection interval
    public void Buckets_follow_the_collection_interval_and_stay_under_a_day_of_minutes(long rangeMs, long intervalMs, long expected) =>
        Assert.Equal(expected, AnalysisActor.BucketFor(rangeMs, TimeSpan.FromMilliseconds(intervalMs)));

    [Theory]
    [InlineData("cpu_usage", "cpu.usage")]
    [InlineData("memory_usage", "memory.usage")]
    [InlineData("response_time", "application.response_time")]
    [InlineData("error_rate", "application.error_rate")]
    [InlineData("disk.used", "disk.used")]
    public void The_documents_metric_names_map_to_series(string requested, string series) =>
        Assert.Equal(series, AnalysisActor.SeriesOf(requested));

    [Theory]
    [InlineData("trend", false, true, false, false, false)]
    [InlineData("full", false, true, true, true, true)]
    [InlineData("bottleneck", true, false, true, true, true)]
    [InlineData("correlation", false, false, false, true, false)]
    public void The_analysis_type_and_options_choose_the_parts(string type, bool options, bool trends, bool anomalies, bool correlations, bool bottleneck)
    {
        var parts = AnalysisComposer.PartsOf(type, options, options, options);

        Assert.Equal((trends, anomalies, correlations, bottleneck), (parts.Trends, parts.Anomalies, parts.Correlations, parts.Bottleneck));
    }
}
