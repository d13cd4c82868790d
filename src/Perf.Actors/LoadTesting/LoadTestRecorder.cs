using Perf.Actors.Ingestion;
using Perf.Analytics.Aggregation;
using Perf.Analytics.LoadTesting;

namespace Perf.Actors.LoadTesting;

/// <summary>
/// The figures of one running test, pure: requests counted by the second they were sent, responses and latency by the
/// second they ended. A second is closed once it is over (plus a grace for responses still on their way to the actor)
/// and then becomes points of the test's series and a row of the knee search; the whole run's histogram and status
/// counts grow with every response.
/// </summary>
public sealed class LoadTestRecorder(LoadTestSpec spec, long startMs)
{
    public const string RequestsMetric = "loadtest.requests";
    public const string ErrorsMetric = "loadtest.errors";
    public const string ErrorRateMetric = "loadtest.error_rate";
    public const string ThroughputMetric = "loadtest.throughput";
    public const string P50Metric = "loadtest.latency_p50";
    public const string P95Metric = "loadtest.latency_p95";
    public const string P99Metric = "loadtest.latency_p99";
    public const string MaxMetric = "loadtest.latency_max";

    private readonly SortedDictionary<long, Second> _open = [];
    private readonly LatencyHistogram _latency = new();
    private readonly SortedDictionary<string, long> _codes = new(StringComparer.Ordinal);
    private readonly List<LoadSecond> _seconds = [];
    private long _requests, _responses, _errors, _firstSecondMs, _lastSecondMs;
    private double _peak;
    private long _closedBeforeMs;

    public LoadTestLive? Live { get; private set; }

    public void Sent(long atMs)
    {
        _requests++;
        SecondOf(atMs).Requests++;
    }

    public void Ended(LoadOutcome outcome)
    {
        if (outcome.Cancelled) return;
        _responses++;
        var second = SecondOf(outcome.EndMs);
        second.Responses++;
        second.Latency.RecordMicroseconds(outcome.LatencyUs);
        _latency.RecordMicroseconds(outcome.LatencyUs);
        _codes[outcome.Code] = _codes.GetValueOrDefault(outcome.Code) + 1;
        if (!outcome.IsError) return;
        _errors++;
        second.Errors++;
    }

    /// <summary>
    /// Closes every second that ended before <paramref name="beforeMs"/> and returns their points (one per series and
    /// second). <paramref name="stoppedMs"/>, once the test has stopped, keeps its last, partial second out of the knee.
    /// </summary>
    public IReadOnlyList<SeriesSamples> Close(long beforeMs, long stoppedMs = long.MaxValue)
    {
        var closed = _open.Where(s => s.Key + 1000 <= beforeMs).ToArray();
        if (closed.Length == 0) return [];
        var points = new Dictionary<string, (List<long> Timestamps, List<double> Values)>(StringComparer.Ordinal);
        void Add(string metric, long timestamp, double value)
        {
            if (!points.TryGetValue(metric, out var series)) points[metric] = series = ([], []);
            series.Timestamps.Add(timestamp);
            series.Values.Add(value);
        }
        _closedBeforeMs = Math.Max(_closedBeforeMs, closed[^1].Key + 1000);
        foreach (var (secondMs, second) in closed)
        {
            _open.Remove(secondMs);
            var level = spec.LevelAt(secondMs + 500 - startMs);
            Add(RequestsMetric, secondMs, second.Requests);
            Add(ThroughputMetric, secondMs, second.Responses);
            Add(ErrorsMetric, secondMs, second.Errors);
            Add(ErrorRateMetric, secondMs, second.Responses == 0 ? 0 : 100.0 * second.Errors / second.Responses);
            var (p50, p95, p99, max) = (second.Latency.PercentileMilliseconds(50), second.Latency.PercentileMilliseconds(95),
                second.Latency.PercentileMilliseconds(99), second.Latency.MaxMilliseconds);
            if (second.Responses > 0)
            {
                Add(P50Metric, secondMs, p50);
                Add(P95Metric, secondMs, p95);
                Add(P99Metric, secondMs, p99);
                Add(MaxMetric, secondMs, max);
            }
            _peak = Math.Max(_peak, second.Responses);
            if (_firstSecondMs == 0) _firstSecondMs = secondMs;
            _lastSecondMs = Math.Max(_lastSecondMs, secondMs);
            // Whole seconds only: the first and last are partly outside the test and would look like a drop.
            if (secondMs >= startMs && secondMs + 1000 <= stoppedMs && second.Responses > 0)
                _seconds.Add(new LoadSecond(secondMs, Math.Round(level, 2), second.Responses, p95, second.Errors / (double)second.Responses));
            Live = new LoadTestLive(secondMs, Math.Round(level, 2), second.Requests, second.Responses, second.Errors, p50, p95, p99, max);
        }
        return points.Select(p => new SeriesSamples(p.Key, [.. p.Value.Timestamps], [.. p.Value.Values])).ToArray();
    }

    public LoadTestSummary Summary()
    {
        var (buckets, counts, min, max) = _latency.Export();
        // The knee only makes sense where the load changed: a ramp. A level test has none to find.
        var knee = spec.RampUpMs > 0 ? Knee.Find(_seconds) : null;
        return new LoadTestSummary(_requests, _responses, _errors, [.. _codes.Keys], [.. _codes.Values], buckets, counts, min, max, _peak,
            _firstSecondMs, _lastSecondMs, knee);
    }

    private Second SecondOf(long atMs)
    {
        // A response slower than the grace lands in the oldest second still open: a closed second's points are stored,
        // and writing the second again would replace them with the late few.
        var key = Math.Max(atMs - atMs % 1000, _closedBeforeMs);
        if (!_open.TryGetValue(key, out var second)) _open[key] = second = new Second();
        return second;
    }

    /// <summary>Counters of one open second.</summary>
    private sealed class Second
    {
        public long Requests;
        public long Responses;
        public long Errors;
        public readonly LatencyHistogram Latency = new();
    }
}
