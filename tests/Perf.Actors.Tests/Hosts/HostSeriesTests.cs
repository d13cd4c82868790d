using Perf.Actors.Hosts;
using Perf.Actors.Series;
using Perf.Actors.Tests.Series;
using Perf.Analytics.Compression;
using Perf.Storage.Hosts;

namespace Perf.Actors.Tests.Hosts;

public sealed class HostSeriesTests
{
    private static HostSeries Series(long toleranceMs = 0, int maxPoints = 4, long maxSpanMs = 1_000_000) =>
        new("web-1", "cpu.usage", new SeriesDetection(TestDetection.Set(0), 100), new SealPolicy(toleranceMs, maxPoints, maxSpanMs));

    private static DataPoint[] Head(HostSeries series) => series.HeadPoints(long.MinValue, long.MaxValue).ToArray();

    [Fact]
    public void Points_in_any_order_end_in_order_and_a_later_point_of_the_same_timestamp_wins()
    {
        var series = Series(toleranceMs: 60_000);
        foreach (var (t, v) in new (long, double)[] { (3000, 3), (1000, 1), (2000, 2), (3000, 33) }) Assert.True(series.Accept(t, v));

        Assert.Equal([new DataPoint(1000, 1), new DataPoint(2000, 2), new DataPoint(3000, 33)], Head(series));
        Assert.Equal((3000L, 33.0), (series.LatestMs, series.LatestValue));
        Assert.Equal(3, series.PointCount);
    }

    [Theory]
    [InlineData(4_999, false)] // older than newest - tolerance
    [InlineData(5_000, true)]  // exactly at the tolerance
    [InlineData(9_000, true)]
    public void Points_older_than_the_newest_by_more_than_the_tolerance_are_refused(long late, bool accepted)
    {
        var series = Series(toleranceMs: 5_000);
        series.Accept(10_000, 1);

        Assert.Equal(accepted, series.Accept(late, 2));
        Assert.Equal(accepted ? 2 : 1, series.PointCount);
    }

    [Fact]
    public void A_seal_takes_only_settled_points_and_waits_for_a_full_chunk()
    {
        var series = Series(toleranceMs: 2_000, maxPoints: 4);
        for (var i = 0; i < 5; i++) series.Accept(i * 1000L, i);
        // Settled: points older than newest (4000) - tolerance (2000): 0, 1000. Not a chunk of four yet.
        Assert.Equal(0, series.PlanSeal().Count);
        series.Accept(5000, 5);
        Assert.Equal(0, series.PlanSeal().Count); // 0..2000 settled
        series.Accept(6000, 6);

        Assert.Equal((4, 3000L), series.PlanSeal()); // 0, 1000, 2000, 3000
    }

    [Fact]
    public void A_seal_of_fewer_points_comes_once_they_span_the_chunk_span()
    {
        var series = Series(toleranceMs: 0, maxPoints: 100, maxSpanMs: 5_000);
        for (var i = 0; i < 6; i++) series.Accept(i * 1000L, i);
        Assert.Equal(0, series.PlanSeal().Count); // 0..4000 settled: a span of 4000
        series.Accept(6000, 6);

        Assert.Equal((6, 5000L), series.PlanSeal()); // 0..5000 settled: the span is reached
    }

    [Fact]
    public void A_seal_is_found_by_a_comparison_after_each_point_and_planned_as_soon_as_it_is_due()
    {
        // Points one second apart, a chunk of 120, five minutes of tolerance: the chunk is due when point 120 + 300 arrives.
        var series = Series(toleranceMs: 300_000, maxPoints: 120);
        (int Count, long LastMs) planned = default;
        var at = -1;
        for (var i = 0; i < 1000 && planned.Count == 0; i++)
        {
            series.Accept(i * 1000L, i);
            planned = series.PlanSeal();
            at = i;
        }

        Assert.Equal((120, 119_000L), planned);
        Assert.Equal(420, at); // point 119 (t = 119 s) is settled once the newest is past 419 s
    }

    [Fact]
    public void Applying_a_seal_moves_points_out_of_the_head_and_counts_the_chunk()
    {
        var series = Series();
        foreach (var t in new long[] { 1000, 2000, 3000 }) series.Accept(t, t / 1000.0);
        series.ApplySeal(new ChunkSeal(0, 1000, 2000, 2, 40));

        Assert.Equal([new DataPoint(3000, 3)], Head(series));
        Assert.Equal((3L, 1, 40L, 1000L, 1L), (series.PointCount, series.ChunkCount, series.ChunkBytes, series.FirstTimestampMs, series.NextChunkSequence));
        series.ApplyRetention(new ChunkRetention(2500, 0, 0, 0, 0));
        Assert.Equal((0, 1L), (series.ChunkCount, series.PointCount));
    }

    [Fact]
    public void Points_at_or_before_a_sealed_chunk_are_refused_whatever_the_tolerance()
    {
        var series = Series(toleranceMs: 60_000);
        foreach (var t in new long[] { 1000, 2000, 3000 }) series.Accept(t, 1);
        series.ApplySeal(new ChunkSeal(0, 1000, 2000, 2, 40));

        Assert.False(series.Accept(2000, 9));
        Assert.True(series.Accept(2500, 9));
    }

    [Fact]
    public void A_snapshot_round_trip_keeps_the_head_the_totals_and_the_detectors()
    {
        var series = Series(toleranceMs: 0);
        List<Anomaly>? found = null;
        for (var i = 0; i < 10; i++)
        {
            series.Accept(i * 1000L, i % 3);
            series.Observe(i * 1000L, i % 3, ref found);
        }
        series.ApplySeal(new ChunkSeal(7, 0, 4000, 5, 50));

        var restored = HostSeries.FromSnapshot("web-1", series.ToSnapshot(), TestDetection.Set(0), 100, new SealPolicy(0, 4, 1_000_000));

        Assert.Equal(Head(series), Head(restored));
        Assert.Equivalent(series.ToSnapshot(), restored.ToSnapshot(), strict: true);
        Assert.Equal(8, restored.NextChunkSequence);
    }
}
