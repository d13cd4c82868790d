using Perf.Analytics.Aggregation;
using Perf.Analytics.Analysis;
using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Analysis;

public sealed class BottleneckTests
{
    private const long Start = 1_790_000_000_000;
    private const long BucketMs = 60_000;

    private static long At(int bucket) => Start + bucket * BucketMs;

    private static IReadOnlyList<DataPoint> Series(int count, Func<int, double> valueAt) =>
        [.. Enumerable.Range(0, count).Select(i => new DataPoint(At(i), valueAt(i)))];

    private static Dictionary<string, IReadOnlyList<DataPoint>> Resources(params (string Metric, IReadOnlyList<DataPoint> Points)[] resources) =>
        resources.ToDictionary(r => r.Metric, r => r.Points);

    [Fact]
    public void The_resource_reaching_saturation_first_is_the_bottleneck()
    {
        // cpu climbs 2 points a bucket from 30 and reaches 90 at bucket 30; memory, from 50 at 1 a bucket, at bucket 40.
        var resources = Resources(
            ("memory.usage", Series(60, i => Math.Min(50 + i, 99))),
            ("cpu.usage", Series(60, i => Math.Min(30 + 2 * i, 99))),
            ("disk.usage", Series(60, _ => 40)));

        var result = Bottleneck.Find(resources, responseTime: null);

        Assert.Equal("cpu.usage", result.SaturatesFirst);
        Assert.Equal(At(30), result.SaturatesAtMs);
        Assert.Equal(["cpu.usage", "disk.usage", "memory.usage"], result.Resources.Select(r => r.Metric));
        Assert.Equal(At(40), result.Resources.Single(r => r.Metric == "memory.usage").ReachedSaturationMs);
        Assert.Null(result.Resources.Single(r => r.Metric == "disk.usage").ReachedSaturationMs);
        Assert.Null(result.ExplainsResponseTime);
        Assert.Null(result.ExplanationCorrelation);
        Assert.All(result.Resources, r => Assert.Null(r.ResponseTimeSpearman));
    }

    [Theory]
    [InlineData(90, "cpu.usage", 30)]
    [InlineData(95, "memory.usage", 45)] // cpu only gets to 94
    [InlineData(100, "memory.usage", null)] // nobody gets there: memory has the highest p95
    public void The_saturation_level_decides_who_gets_there(double level, string expected, int? bucket)
    {
        var resources = Resources(
            ("cpu.usage", Series(60, i => Math.Min(30 + 2 * i, 94))),
            ("memory.usage", Series(60, i => Math.Min(50 + i, 99))));

        var result = Bottleneck.Find(resources, null, level);

        Assert.Equal(expected, result.SaturatesFirst);
        Assert.Equal(bucket is { } b ? At(b) : null, result.SaturatesAtMs);
    }

    [Fact]
    public void The_p95_is_the_shared_percentile()
    {
        var random = new Random(1);
        var values = Enumerable.Range(0, 101).Select(_ => random.NextDouble() * 80).ToArray();

        var result = Bottleneck.Find(Resources(("cpu.usage", Series(101, i => values[i]))), null);

        Assert.Equal(Downsampler.Reduce(values, AggregationKind.P95), Assert.Single(result.Resources).P95);
        Assert.Equal("cpu.usage", result.SaturatesFirst);
        Assert.Null(result.SaturatesAtMs);
    }

    [Fact]
    public void Response_time_driven_by_disk_is_explained_by_disk()
    {
        var random = new Random(2);
        var cpu = Series(200, _ => 20 + 60 * random.NextDouble());
        var memory = Series(200, i => 40 + i * 0.05 + 5 * random.NextDouble());
        var disk = Series(200, _ => 10 + 85 * random.NextDouble());
        // Queueing: latency rises steeply as the disk approaches saturation.
        var responseTime = disk.Select(p => p with { Value = 5 / (1 - p.Value / 100) + random.NextDouble() }).ToArray();

        var result = Bottleneck.Find(Resources(("cpu.usage", cpu), ("memory.usage", memory), ("disk.usage", disk)), responseTime);

        Assert.Equal("disk.usage", result.ExplainsResponseTime);
        Assert.InRange(result.ExplanationCorrelation!.Value, 0.95, 1);
        Assert.All(result.Resources.Where(r => r.Metric != "disk.usage"), r => Assert.InRange(Math.Abs(r.ResponseTimeSpearman!.Value), 0, 0.3));
    }

    [Fact]
    public void A_strong_negative_correlation_explains_too_and_keeps_its_sign()
    {
        var random = new Random(3);
        var free = Series(100, _ => 100 * random.NextDouble());
        var responseTime = free.Select(p => p with { Value = 200 - p.Value }).ToArray();

        var result = Bottleneck.Find(Resources(("memory.free", free), ("cpu.usage", Series(100, _ => 50 + random.NextDouble()))), responseTime);

        Assert.Equal("memory.free", result.ExplainsResponseTime);
        Assert.Equal(-1, result.ExplanationCorrelation!.Value, 1e-12);
    }

    [Fact]
    public void NaN_values_neither_saturate_nor_count()
    {
        var cpu = Series(10, i => i == 3 ? double.NaN : 10 * i);              // reaches 90 at bucket 9
        var disk = Series(10, i => i is 2 or 4 ? double.NaN : 95);            // saturated from bucket 0
        var responseTime = Series(10, i => i == 5 ? double.NaN : 10 * i + 1); // follows cpu

        var result = Bottleneck.Find(Resources(("cpu.usage", cpu), ("disk.usage", disk)), responseTime);

        Assert.Equal("disk.usage", result.SaturatesFirst);
        Assert.Equal(At(0), result.SaturatesAtMs);
        Assert.Equal("cpu.usage", result.ExplainsResponseTime);
        Assert.Equal(1, result.ExplanationCorrelation!.Value, 1e-12);
        Assert.Null(result.Resources.Single(r => r.Metric == "disk.usage").ResponseTimeSpearman); // constant: undefined
        Assert.Equal(95, result.Resources.Single(r => r.Metric == "disk.usage").P95);
    }

    [Fact]
    public void Ties_go_to_the_name_that_sorts_first()
    {
        var same = Series(20, i => 50 + 3 * i);
        var responseTime = Series(20, i => i);

        var result = Bottleneck.Find(Resources(("net.usage", same), ("cpu.usage", same), ("disk.usage", same)), responseTime);

        Assert.Equal("cpu.usage", result.SaturatesFirst);
        Assert.Equal("cpu.usage", result.ExplainsResponseTime);
    }

    [Fact]
    public void Without_data_there_is_no_bottleneck()
    {
        var empty = Bottleneck.Find(Resources(), Series(5, i => i));
        Assert.Equal(new BottleneckResult(null, null, null, null, []), empty with { Resources = [] });
        Assert.Empty(empty.Resources);

        var allNaN = Bottleneck.Find(Resources(("cpu.usage", Series(5, _ => double.NaN))), Series(5, i => i));
        Assert.Null(allNaN.SaturatesFirst);
        Assert.Null(allNaN.ExplainsResponseTime);
        Assert.True(double.IsNaN(Assert.Single(allNaN.Resources).P95));

        Assert.Throws<ArgumentOutOfRangeException>(() => Bottleneck.Find(Resources(), null, double.NaN));
    }
}
