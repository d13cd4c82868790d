using Perf.Actors.Configuration;
using Perf.Actors.Series;
using Perf.Analytics.Detection;

namespace Perf.Actors.Tests.Series;

public sealed class SeriesDetectionTests
{
    private const long Start = 1_790_000_000_000;
    private const long Step = 30_000;

    /// <summary>Noise around <paramref name="level"/> (sd about 1), one point per 30 s from point <paramref name="from"/>.</summary>
    private static PointsRecorded Noise(int from, int count, double level, int seed, Action<int, double[]>? edit = null)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = level + (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2;
        edit?.Invoke(from, values);
        return new PointsRecorded(Enumerable.Range(from, count).Select(T).ToArray(), values);
    }

    private static long T(int index) => Start + index * Step;

    private static SeriesDetection Default(int minDataPoints = 100, int maxAnomalies = 1000) =>
        new(TestDetection.Set(minDataPoints, "ensemble", "iid-spike", "iid-changepoint"), maxAnomalies);

    /// <summary>Points of one series, in order (what a host feeds its series' detectors).</summary>
    private sealed record PointsRecorded(long[] Timestamps, double[] Values);

    /// <summary>Feeds the points one by one; the findings, or null when there are none.</summary>
    private static Anomaly[]? Observe(SeriesDetection detection, PointsRecorded points)
    {
        List<Anomaly>? found = null;
        for (var i = 0; i < points.Timestamps.Length; i++) detection.Observe(points.Timestamps[i], points.Values[i], ref found);
        return found?.ToArray();
    }

    /// <summary>Observes and keeps the findings, as the host does once they are in its record.</summary>
    private static Anomaly[] Run(SeriesDetection detection, PointsRecorded points)
    {
        var found = Observe(detection, points) ?? [];
        foreach (var anomaly in found) detection.Keep(anomaly);
        return found;
    }

    [Fact]
    public void A_constant_series_never_alerts()
    {
        var detection = Default();
        var constant = new PointsRecorded(Enumerable.Range(0, 600).Select(T).ToArray(), Enumerable.Repeat(42.0, 600).ToArray());

        Assert.Empty(Run(detection, constant));
        Assert.Equal(600, detection.PointsObserved);
        Assert.All(detection.Views(), v => Assert.Equal(600, v.PointsObserved));
    }

    [Fact]
    public void A_spike_is_recorded_by_the_spike_detector_and_the_ensemble_at_its_point()
    {
        var detection = Default();
        var points = Noise(0, 400, 50, seed: 1, edit: (_, v) => v[300] = 90);

        var found = Run(detection, points);

        var atSpike = found.Where(a => a.TimestampMs == T(300)).ToArray();
        var spike = Assert.Single(atSpike, a => a.Detector == "iid-spike");
        Assert.Equal("spike", spike.Kind);
        Assert.Equal(90, spike.Value);
        Assert.True(spike.PValue < 0.001, $"p = {spike.PValue}");
        var ensemble = Assert.Single(atSpike, a => a.Detector == "ensemble");
        Assert.Equal("anomaly", ensemble.Kind);
        Assert.True(ensemble.Score >= 0.5, $"score = {ensemble.Score}");
        Assert.True(double.IsNaN(ensemble.Martingale));
    }

    [Fact]
    public void A_level_shift_raises_a_change_point_within_the_change_history()
    {
        var detection = Default();
        Run(detection, Noise(0, 300, 50, seed: 2));

        var found = Run(detection, Noise(300, 200, 70, seed: 3));

        var change = found.First(a => a.Kind == "changepoint");
        Assert.Equal("iid-changepoint", change.Detector);
        Assert.InRange(change.TimestampMs, T(300), T(300 + 20)); // changeHistoryLength = 20
        Assert.True(change.Martingale > 1000, $"martingale = {change.Martingale}");
    }

    [Theory]
    [InlineData(50, 0)]   // before min_data_points: the detectors learn, nothing is recorded
    [InlineData(150, 1)]
    public void Nothing_is_recorded_before_min_data_points(int spikeAt, int expectedSpikes)
    {
        var detection = new SeriesDetection(TestDetection.Set(100, "iid-spike"), 1000);

        var found = Run(detection, Noise(0, 200, 50, seed: 4, edit: (_, v) => v[spikeAt] = 500));

        Assert.Equal(expectedSpikes, found.Count(a => a.TimestampMs == T(spikeAt)));
        Assert.DoesNotContain(found, a => a.TimestampMs < T(100));
    }

    [Fact]
    public void Restored_from_a_snapshot_it_continues_exactly_like_an_uninterrupted_run()
    {
        var first = Noise(0, 250, 50, seed: 5, edit: (_, v) => v[120] = 80);
        var second = Noise(250, 250, 65, seed: 6, edit: (from, v) => v[400 - from] = 20);
        var uninterrupted = Default();
        var expected = Run(uninterrupted, first).Concat(Run(uninterrupted, second)).ToArray();

        var before = Default();
        var foundBefore = Run(before, first);
        var restored = SeriesDetection.FromSnapshot(TestDetection.Set(100, "ensemble", "iid-spike", "iid-changepoint"), 1000, before.ToSnapshot());
        var foundAfter = Run(restored, second);

        Assert.NotEmpty(foundAfter);
        Assert.Equal(expected, foundBefore.Concat(foundAfter));
        Assert.Equivalent(uninterrupted.Views(), restored.Views(), strict: true);
        Assert.Equal(uninterrupted.Anomalies(0, long.MaxValue), restored.Anomalies(0, long.MaxValue));
    }

    [Fact]
    public void Late_points_are_not_scored_and_missing_values_leave_the_detectors_untouched()
    {
        var detection = Default();
        Run(detection, Noise(0, 10, 50, seed: 7));

        Run(detection, new PointsRecorded([T(5), T(9)], [1, 2]));       // at or before the newest point scored
        Assert.Equal(10, detection.PointsObserved);
        Run(detection, new PointsRecorded([T(10)], [double.NaN]));
        Assert.Equal(10, detection.PointsObserved);
        Assert.Equal(T(10), detection.LastObservedMs);
        Run(detection, new PointsRecorded([T(11)], [50]));
        Assert.Equal(11, detection.PointsObserved);
    }

    [Fact]
    public void Keeps_the_newest_findings_up_to_the_limit_and_retention_drops_older_ones()
    {
        var detection = new SeriesDetection(TestDetection.Set(0, "iid-spike"), maxAnomalies: 3);
        Anomaly At(int i) => new(T(i), i, "iid-spike", "spike", i, 0.0001, double.NaN);

        foreach (var a in new[] { At(1), At(2) }) detection.Keep(a);
        foreach (var a in new[] { At(3), At(4) }) detection.Keep(a);
        Assert.Equal([At(2), At(3), At(4)], detection.Anomalies(0, long.MaxValue));
        Assert.Equal([At(3)], detection.Anomalies(T(3), T(3)));
        Assert.Equal(4, detection.Views().Single().Alerts);
        Assert.Equal(T(4), detection.Views().Single().LastAlertMs);

        detection.Expire(T(4));
        Assert.Equal([At(4)], detection.Anomalies(0, long.MaxValue));
    }

    [Fact]
    public void A_detector_whose_options_changed_starts_afresh_while_the_others_continue()
    {
        var before = new SeriesDetection(TestDetection.Set(0, "iid-spike", "iid-changepoint"), 100);
        Run(before, Noise(0, 50, 50, seed: 8));
        var changed = new DetectorSet("all", 0, [TestDetection.Spec("iid-spike", 0, "side=positive"), TestDetection.Spec("iid-changepoint", 0, "martingale=mixture")]);

        var after = SeriesDetection.FromSnapshot(changed, 100, before.ToSnapshot());

        var views = after.Views().ToDictionary(v => v.Name);
        Assert.Equal(0, views["iid-spike"].PointsObserved);
        Assert.Equal(50, views["iid-changepoint"].PointsObserved);
    }

    [Fact]
    public void A_detector_that_throws_is_restarted_and_the_others_keep_working()
    {
        var set = new DetectorSet("all", 0,
        [
            TestDetection.Broken,
            TestDetection.Spec("iid-spike", 0),
        ]);
        var detection = new SeriesDetection(set, 100);
        var found = Observe(detection, Noise(0, 200, 50, seed: 9, edit: (_, v) => v[150] = 500)) ?? [];
        var failures = detection.TakeFailures();

        Assert.Equal(200, failures.Count);
        Assert.All(failures, f => Assert.Equal("broken", f.Detector));
        Assert.Contains(found, a => a.Detector == "iid-spike" && a.TimestampMs == T(150));
        Assert.Empty(detection.TakeFailures());
    }

    [Fact]
    public void A_stored_state_that_cannot_be_read_restarts_that_detector_and_is_reported_while_the_others_continue()
    {
        var set = TestDetection.Set(10, "iid-spike", "iid-changepoint");
        var detection = new SeriesDetection(set, 100);
        Observe(detection, Noise(0, 50, 50, seed: 4));
        var snapshot = detection.ToSnapshot();
        var damaged = snapshot with
        {
            Detectors = [.. snapshot.Detectors.Select(d => d.Key.StartsWith("iid-spike", StringComparison.Ordinal) ? d with { State = d.State[..(d.State.Length / 2)] } : d)],
        };

        var restored = SeriesDetection.FromSnapshot(set, 100, damaged);

        var failure = Assert.Single(restored.TakeFailures());
        Assert.Equal("iid-spike", failure.Detector);
        var views = restored.Views().ToDictionary(v => v.Name);
        Assert.Equal(0, views["iid-spike"].PointsObserved); // afresh
        Assert.Equal(50, views["iid-changepoint"].PointsObserved); // continued
    }

    [Fact]
    public void Analysis_switched_off_runs_no_detector()
    {
        var detection = new SeriesDetection(DetectorSet.None, 100);

        Assert.Null(Observe(detection, Noise(0, 10, 50, seed: 10, edit: (_, v) => v[5] = 1e9)));
        Assert.Empty(detection.Views());
    }
}
