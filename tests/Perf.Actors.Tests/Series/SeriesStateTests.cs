using Perf.Actors.Series;
using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Actors.Tests.Series;

public sealed class SeriesStateTests
{
    private const string Id = "h/cpu.usage";

    private static AppendPoints Append(params (long T, double V)[] points) =>
        new(Id, points.Select(p => p.T).ToArray(), points.Select(p => p.V).ToArray());

    private static SeriesState StateWith(params (long T, double V)[] points)
    {
        var state = new SeriesState();
        var (e, _) = state.Decide([Append(points)], 1000);
        state.Apply(e!);
        return state;
    }

    [Fact]
    public void Decide_sorts_points_and_a_later_append_of_the_same_timestamp_wins()
    {
        var state = new SeriesState();
        var (e, rejected) = state.Decide([Append((30, 3), (10, 1), (20, 2)), Append((20, 22))], toleranceMs(100));
        Assert.Equal([10L, 20, 30], e!.Timestamps);
        Assert.Equal([1.0, 22, 3], e.Values);
        Assert.Equal([0, 0], rejected);
    }

    [Theory]
    [InlineData(1000, 0)]   // within tolerance: accepted and placed in order
    [InlineData(999, 1)]    // one millisecond too old
    [InlineData(0, 1)]
    public void Decide_rejects_points_older_than_the_tolerance(long late, int expectedRejected)
    {
        var state = StateWith((2000, 1));
        var (e, rejected) = state.Decide([Append((late, 5))], toleranceMs(1000));
        Assert.Equal(expectedRejected, rejected[0]);
        Assert.Equal(expectedRejected == 0, e is not null);
    }

    [Fact]
    public void Late_points_within_tolerance_are_stored_in_order_and_overwrites_replace()
    {
        var state = StateWith((1000, 1), (3000, 3));
        var (e, _) = state.Decide([Append((2000, 2), (3000, 33))], toleranceMs(5000));
        state.Apply(e!);
        var points = state.HeadPoints(0, long.MaxValue);
        Assert.Equal([new DataPoint(1000, 1), new DataPoint(2000, 2), new DataPoint(3000, 33)], points);
        Assert.Equal(3, state.PointCount);
    }

    [Fact]
    public void PlanSeal_takes_only_settled_points_and_waits_for_a_full_chunk()
    {
        var state = StateWith(Enumerable.Range(0, 10).Select(i => ((long)i * 1000, (double)i)).ToArray());
        Assert.Null(state.PlanSeal(outOfOrderToleranceMs: 0, maxPoints: 20, maxSpanMs: 1_000_000));
        var planned = state.PlanSeal(outOfOrderToleranceMs: 3000, maxPoints: 4, maxSpanMs: 1_000_000);
        Assert.Equal([0L, 1000, 2000, 3000], planned!.Select(p => p.TimestampMs));
        // Only points older than last - tolerance (9000 - 3000) are settled: 0..5000, i.e. 6 points; a span limit seals them.
        Assert.Equal(6, state.PlanSeal(outOfOrderToleranceMs: 3000, maxPoints: 100, maxSpanMs: 5000)!.Length);
    }

    [Fact]
    public void Applying_a_seal_moves_points_out_of_the_head_and_counts_the_chunk()
    {
        var state = StateWith((1000, 1), (2000, 2), (3000, 3));
        state.Apply(new ChunkSealed(0, 1000, 2000, 2, 40));
        Assert.Equal(1, state.Head.Count);
        Assert.Equal(3, state.PointCount);
        Assert.Equal(1, state.ChunkCount);
        Assert.Equal(40, state.ChunkBytes);
        Assert.Equal(1000, state.FirstTimestampMs);
        Assert.Equal(3000, state.LastTimestampMs);
        Assert.Equal(1, state.NextChunkSequence);

        state.Apply(new ChunksExpired(2500, 1, 40, 2, 0));
        Assert.Equal(0, state.ChunkCount);
        Assert.Equal(1, state.PointCount);
    }

    [Fact]
    public void Points_at_or_before_a_sealed_chunk_are_rejected_whatever_the_tolerance()
    {
        var state = StateWith((1000, 1), (2000, 2), (3000, 3));
        state.Apply(new ChunkSealed(0, 1000, 2000, 2, 40));
        var (e, rejected) = state.Decide([Append((2000, 9), (2500, 5))], toleranceMs(1_000_000));
        Assert.Equal([1], rejected);
        Assert.Equal([2500L], e!.Timestamps);
    }

    [Fact]
    public void An_append_whose_arrays_disagree_is_rejected_whole()
    {
        var state = new SeriesState();
        var (e, rejected) = state.Decide([new AppendPoints(Id, [1, 2], [1.0])], toleranceMs(0));
        Assert.Null(e);
        Assert.Equal([2], rejected);
    }

    [Fact]
    public void Snapshot_round_trip_keeps_everything()
    {
        var state = StateWith((1000, 1.5), (2000, 2.5), (3000, double.MaxValue));
        state.Apply(new ChunkSealed(7, 1000, 1000, 1, 12));
        var restored = SeriesState.FromSnapshot(state.ToSnapshot());
        Assert.Equal(state.HeadPoints(0, long.MaxValue), restored.HeadPoints(0, long.MaxValue));
        Assert.Equal(state.ToSnapshot() with { Head = [] }, restored.ToSnapshot() with { Head = [] });
        Assert.Equal(8, restored.NextChunkSequence);
    }

    private static long toleranceMs(long ms) => ms;
}
