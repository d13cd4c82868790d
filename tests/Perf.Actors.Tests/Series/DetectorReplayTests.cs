using Perf.Actors.Series;
using Perf.Analytics.Compression;

namespace Perf.Actors.Tests.Series;

public sealed class DetectorReplayTests
{
    private static (long[] Timestamps, double[] Values) Steady(int count, int spikeAt = -1)
    {
        var timestamps = Enumerable.Range(0, count).Select(i => 1_000_000L + i * 30_000L).ToArray();
        var values = Enumerable.Range(0, count).Select(i => i == spikeAt ? 99.0 : 40 + 5 * Math.Sin(i / 7.0)).ToArray();
        return (timestamps, values);
    }

    [Theory]
    [InlineData("ensemble", 1.0)]
    [InlineData("iid-spike", 90.0)]
    public void The_spike_scores_highest_and_the_warm_up_is_left_out(string detector, double spikeScoreAtLeast)
    {
        var (timestamps, values) = Steady(160, spikeAt: 150);

        var scores = DetectorReplay.Scores(TestDetection.Spec(detector, 100), 100, timestamps, values);

        Assert.Equal(60, scores.Count);
        Assert.Equal(timestamps[100], scores[0].TimestampMs);
        var highest = scores.MaxBy(s => s.Value);
        Assert.Equal(timestamps[150], highest.TimestampMs);
        Assert.True(highest.Value >= spikeScoreAtLeast, $"{detector} scored the spike {highest.Value}");
    }

    [Fact]
    public void Missing_values_are_skipped_without_counting_towards_the_warm_up()
    {
        var (timestamps, values) = Steady(12);
        values[3] = double.NaN;

        var scores = DetectorReplay.Scores(TestDetection.Spec("iid-spike", 5), 5, timestamps, values);

        Assert.Equal(6, scores.Count); // 11 finite points, 5 of them warm-up
        Assert.DoesNotContain(scores, s => s.TimestampMs == timestamps[3]);
        Assert.All(scores, s => Assert.True(double.IsFinite(s.Value)));
    }

    [Fact]
    public void A_replay_scores_as_the_live_detector_does()
    {
        var (timestamps, values) = Steady(130, spikeAt: 120);
        var spec = TestDetection.Spec("ensemble", 100);
        var live = spec.Create();
        Span<double> row = stackalloc double[live.OutputColumns.Count];
        var expected = new List<DataPoint>();
        for (var i = 0; i < values.Length; i++)
        {
            live.Update(values[i], row);
            if (i >= 100) expected.Add(new DataPoint(timestamps[i], row[1]));
        }

        Assert.Equal(expected, DetectorReplay.Scores(spec, 100, timestamps, values));
    }
}
