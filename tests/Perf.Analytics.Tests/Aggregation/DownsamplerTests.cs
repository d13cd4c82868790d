using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Aggregation;

public sealed class DownsamplerTests
{
    private const long T0 = 1_710_928_800_000; // 2024-03-20T10:00:00Z, a multiple of every step used here

    [Fact]
    public void Aggregate_AlignsBucketsToMultiplesOfTheStepSinceTheEpoch()
    {
        DataPoint[] points = [new(T0 + 5_000, 1), new(T0 + 59_999, 3), new(T0 + 60_000, 10), new(T0 + 119_999, 20)];

        var result = Downsampler.Aggregate(points, 60_000, AggregationKind.Avg);

        Assert.Equal([new DataPoint(T0, 2), new DataPoint(T0 + 60_000, 15)], result);
    }

    [Fact]
    public void Aggregate_AlignsToTheEpochNotToTheFirstPoint()
    {
        // Starting at 10:00:45 with 1-minute buckets must still give 10:00:00 and 10:01:00, never 10:00:45.
        DataPoint[] points = [new(T0 + 45_000, 1), new(T0 + 75_000, 2)];

        var result = Downsampler.Aggregate(points, 60_000, AggregationKind.Count);

        Assert.Equal([new DataPoint(T0, 1), new DataPoint(T0 + 60_000, 1)], result);
    }

    [Fact]
    public void Aggregate_EmitsNothingForEmptyBuckets()
    {
        DataPoint[] points = [new(T0, 1), new(T0 + 1_000, 2), new(T0 + 300_000, 5)];

        var result = Downsampler.Aggregate(points, 60_000, AggregationKind.Sum);

        Assert.Equal([new DataPoint(T0, 3), new DataPoint(T0 + 300_000, 5)], result);
    }

    [Theory]
    [InlineData(-1, 1_000, -1_000)]
    [InlineData(-1_000, 1_000, -1_000)]
    [InlineData(-1_001, 1_000, -2_000)]
    [InlineData(0, 1_000, 0)]
    [InlineData(999, 1_000, 0)]
    [InlineData(T0 + 3_599_999, 3_600_000, T0)]
    [InlineData(T0 + 1, 86_400_000, 1_710_892_800_000)] // midnight UTC
    [InlineData(T0, 11, T0 - 2)] // odd steps align to the epoch too: T0 mod 11 == 2
    public void Aggregate_BucketStartIsTheFlooredMultiple(long timestamp, long step, long expectedStart)
    {
        var result = Downsampler.Aggregate([new DataPoint(timestamp, 4)], step, AggregationKind.Last);

        Assert.Equal([new DataPoint(expectedStart, 4)], result);
    }

    [Theory]
    [InlineData(AggregationKind.Avg, 4.0, 20.0)]
    [InlineData(AggregationKind.Min, 1.0, 10.0)]
    [InlineData(AggregationKind.Max, 9.0, 30.0)]
    [InlineData(AggregationKind.Sum, 16.0, 40.0)]
    [InlineData(AggregationKind.Count, 4.0, 2.0)]
    [InlineData(AggregationKind.Last, 2.0, 10.0)]
    [InlineData(AggregationKind.P50, 3.0, 20.0)]
    [InlineData(AggregationKind.P95, 8.25, 29.0)]
    [InlineData(AggregationKind.P99, 8.85, 29.8)]
    public void Aggregate_ReducesEachBucketWithTheKind(AggregationKind kind, double first, double second)
    {
        DataPoint[] points =
        [
            new(T0, 4), new(T0 + 10_000, 9), new(T0 + 20_000, 1), new(T0 + 50_000, 2),
            new(T0 + 60_000, 30), new(T0 + 61_000, 10),
        ];

        var result = Downsampler.Aggregate(points, 60_000, kind);

        Assert.Equal(2, result.Count);
        Assert.Equal(T0, result[0].TimestampMs);
        Assert.Equal(T0 + 60_000, result[1].TimestampMs);
        Assert.Equal(first, result[0].Value, 1e-12);
        Assert.Equal(second, result[1].Value, 1e-12);
    }

    [Fact]
    public void Aggregate_HandlesBucketsLargerThanItsInitialBuffer()
    {
        var points = Enumerable.Range(0, 5_000).Select(i => new DataPoint(T0 + i, 5_000 - i)).ToList();

        var count = Downsampler.Aggregate(points, 60_000, AggregationKind.Count);
        var p50 = Downsampler.Aggregate(points, 60_000, AggregationKind.P50);
        var last = Downsampler.Aggregate(points, 60_000, AggregationKind.Last);

        Assert.Equal([new DataPoint(T0, 5_000)], count);
        Assert.Equal([new DataPoint(T0, 2_500.5)], p50);
        Assert.Equal([new DataPoint(T0, 1)], last);
    }

    [Fact]
    public void Aggregate_EqualsReducingEachBucketSeparately()
    {
        var random = new Random(9);
        var points = new List<DataPoint>();
        long timestamp = T0;
        for (int i = 0; i < 2_000; i++)
        {
            timestamp += random.Next(4) == 0 ? random.Next(0, 600_000) : random.Next(0, 20_000);
            points.Add(new DataPoint(timestamp, random.NextDouble() * 100));
        }

        foreach (var kind in Enum.GetValues<AggregationKind>())
        {
            var expected = points
                .GroupBy(p => p.TimestampMs - (p.TimestampMs % 60_000))
                .Select(g => new DataPoint(g.Key, Downsampler.Reduce([.. g.Select(p => p.Value)], kind)))
                .ToList();

            Assert.Equal(expected, Downsampler.Aggregate(points, 60_000, kind));
        }
    }

    [Fact]
    public void Aggregate_OfNoPoints_IsEmpty()
    {
        Assert.Empty(Downsampler.Aggregate([], 60_000, AggregationKind.Avg));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60_000)]
    public void Aggregate_RejectsNonPositiveSteps(long step)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Downsampler.Aggregate([new DataPoint(T0, 1)], step, AggregationKind.Avg));
    }

    [Fact]
    public void Aggregate_RejectsUnsortedPoints()
    {
        DataPoint[] points = [new(T0, 1), new(T0 + 2_000, 2), new(T0 + 1_000, 3)];

        var error = Assert.Throws<ArgumentException>(() => Downsampler.Aggregate(points, 60_000, AggregationKind.Avg));
        Assert.Equal("points", error.ParamName);
    }

    [Fact]
    public void Aggregate_RejectsAnUndefinedKind()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Downsampler.Aggregate([new DataPoint(T0, 1)], 1_000, (AggregationKind)99));
    }

    // Reference values follow numpy.percentile(values, q) with the default method="linear".
    [Theory]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0 }, AggregationKind.P50, 2.5)]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0 }, AggregationKind.P95, 3.85)]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0 }, AggregationKind.P99, 3.97)]
    [InlineData(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0 }, AggregationKind.P95, 9.55)]
    [InlineData(new[] { 15.0, 20.0, 35.0, 40.0, 50.0 }, AggregationKind.P50, 35.0)]
    [InlineData(new[] { 15.0, 20.0, 35.0, 40.0, 50.0 }, AggregationKind.P95, 48.0)]
    [InlineData(new[] { 15.0, 20.0, 35.0, 40.0, 50.0 }, AggregationKind.P99, 49.6)]
    [InlineData(new[] { 50.0, 15.0, 40.0, 20.0, 35.0 }, AggregationKind.P50, 35.0)] // unsorted input
    [InlineData(new[] { 1.0, 2.0 }, AggregationKind.P50, 1.5)]
    [InlineData(new[] { 1.0, 2.0 }, AggregationKind.P99, 1.99)]
    [InlineData(new[] { 7.0 }, AggregationKind.P50, 7.0)]
    [InlineData(new[] { 7.0 }, AggregationKind.P99, 7.0)]
    [InlineData(new[] { -3.0, -1.0, -2.0 }, AggregationKind.P50, -2.0)]
    [InlineData(new[] { 5.0, 5.0, 5.0 }, AggregationKind.P95, 5.0)]
    [InlineData(new[] { 1.0, double.PositiveInfinity, double.PositiveInfinity }, AggregationKind.P99, double.PositiveInfinity)]
    public void Reduce_PercentilesInterpolateLikeNumpy(double[] values, AggregationKind kind, double expected)
    {
        Assert.Equal(expected, Downsampler.Reduce(values, kind), 1e-12);
    }

    public static TheoryData<string> Shapes => new("random", "sorted", "reversed", "constant", "few distinct", "organ pipe", "signed zeros");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Reduce_PercentilesEqualASortBasedReference(string shape)
    {
        var random = new Random(shape.Length);
        foreach (int length in new[] { 1, 2, 3, 15, 16, 17, 100, 1_000, 4_097 })
        {
            double[] values = [.. Enumerable.Range(0, length).Select(i => shape switch
            {
                "random" => random.NextDouble() * 1e6,
                "sorted" => i * 0.5,
                "reversed" => -i,
                "constant" => 42.0,
                "few distinct" => random.Next(3),
                "organ pipe" => Math.Min(i, length - i),
                _ => i % 2 == 0 ? 0.0 : -0.0,
            })];

            foreach (var (kind, percent) in new[] { (AggregationKind.P50, 50.0), (AggregationKind.P95, 95.0), (AggregationKind.P99, 99.0) })
            {
                Assert.Equal(SortedReference(values, percent), Downsampler.Reduce(values, kind));
            }
        }
    }

    [Fact]
    public void Reduce_PercentilesOfAThousandEvenlySpacedValues()
    {
        double[] values = [.. Enumerable.Range(0, 1_001).Select(i => (double)i)];

        Assert.Equal(500.0, Downsampler.Reduce(values, AggregationKind.P50), 1e-9);
        Assert.Equal(950.0, Downsampler.Reduce(values, AggregationKind.P95), 1e-9);
        Assert.Equal(990.0, Downsampler.Reduce(values, AggregationKind.P99), 1e-9);
    }

    [Theory]
    [InlineData(AggregationKind.Avg, 2.0)]
    [InlineData(AggregationKind.Min, 1.0)]
    [InlineData(AggregationKind.Max, 3.0)]
    [InlineData(AggregationKind.Sum, 6.0)]
    [InlineData(AggregationKind.Count, 3.0)]
    [InlineData(AggregationKind.Last, 1.0)] // the last in time, not the largest
    [InlineData(AggregationKind.P50, 2.0)]
    public void Reduce_FollowsTimeOrderAndDoesNotReorderTheInput(AggregationKind kind, double expected)
    {
        double[] values = [3, 2, 1];

        Assert.Equal(expected, Downsampler.Reduce(values, kind));
        Assert.Equal([3.0, 2.0, 1.0], values);
    }

    [Theory]
    [InlineData(AggregationKind.Avg)]
    [InlineData(AggregationKind.Min)]
    [InlineData(AggregationKind.Max)]
    [InlineData(AggregationKind.Sum)]
    [InlineData(AggregationKind.Count)]
    [InlineData(AggregationKind.Last)]
    [InlineData(AggregationKind.P50)]
    [InlineData(AggregationKind.P95)]
    [InlineData(AggregationKind.P99)]
    public void Reduce_OfNoValues_IsNaN(AggregationKind kind)
    {
        Assert.True(double.IsNaN(Downsampler.Reduce([], kind)));
    }

    [Theory]
    [InlineData(AggregationKind.Avg, double.NaN)]
    [InlineData(AggregationKind.Min, double.NaN)]
    [InlineData(AggregationKind.Max, double.NaN)]
    [InlineData(AggregationKind.Sum, double.NaN)]
    [InlineData(AggregationKind.Count, 3.0)]
    [InlineData(AggregationKind.Last, 3.0)]
    [InlineData(AggregationKind.P50, double.NaN)]
    [InlineData(AggregationKind.P99, double.NaN)]
    public void Reduce_PropagatesNaNSamples(AggregationKind kind, double expected)
    {
        Assert.Equal(expected, Downsampler.Reduce([1, double.NaN, 3], kind));
    }

    [Fact]
    public void Reduce_SumIsCompensated()
    {
        // A naive left-to-right sum gives 0: 1e16 + 1 rounds back to 1e16.
        Assert.Equal(1.0, Downsampler.Reduce([1e16, 1, -1e16], AggregationKind.Sum));
        Assert.Equal(double.PositiveInfinity, Downsampler.Reduce([1, double.PositiveInfinity], AggregationKind.Sum));
        Assert.True(double.IsNaN(Downsampler.Reduce([double.NegativeInfinity, double.PositiveInfinity], AggregationKind.Sum)));
    }

    // Straightforward numpy 'linear' over a fully sorted copy, to check the selection-based implementation.
    private static double SortedReference(double[] values, double percent)
    {
        double[] sorted = [.. values.Order()];
        double virtualIndex = (sorted.Length - 1) * (percent / 100);
        int lower = (int)Math.Floor(virtualIndex);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        double gamma = virtualIndex - lower;
        double a = sorted[lower];
        double b = sorted[upper];
        if (a == b || gamma == 0)
        {
            return a;
        }

        return gamma >= 0.5 ? b - ((b - a) * (1 - gamma)) : a + ((b - a) * gamma);
    }
}
