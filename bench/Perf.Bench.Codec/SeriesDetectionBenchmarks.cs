using BenchmarkDotNet.Attributes;
using Perf.Actors.Configuration;
using Perf.Actors.Series;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Codec;

/// <summary>
/// The full per-series detector set as a series actor runs it (<see cref="SeriesDetection.Observe"/>), with the shipped
/// families' detectors and options: "default" (ensemble, iid-spike, iid-changepoint with the mixture martingale, as
/// utilisation, latency and traffic) and "capacity" (ensemble, iid-changepoint). Points arrive in writes of 10 (a
/// group-committed journal write of a busy series). Reports ns per point; the setup prints the bytes of state per series
/// (every detector's state plus the rest of the detection snapshot).
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class SeriesDetectionBenchmarks
{
    private const int Points = 10_000;
    private const int PointsPerWrite = 10;

    private PointsRecorded[] _writes = [];
    private SeriesDetection _detection = null!;
    private long _nextTimestamp;

    [Params("default", "capacity")]
    public string Family { get; set; } = "default";

    private DetectorSet Set() => new(Family, 100, Family switch
    {
        "default" => [Spec("ensemble"), Spec("iid-spike"), Spec("iid-changepoint", "martingale=mixture")],
        "capacity" => [Spec("ensemble"), Spec("iid-changepoint", "martingale=mixture")],
        _ => throw new ArgumentOutOfRangeException(nameof(Family), Family, null),
    });

    private static DetectorSpec Spec(string name, params string[] options) => DetectionSettings.Spec(name, 0.8, 100, options);

    [GlobalSetup]
    public void Setup()
    {
        var series = DetectorBenchmarks.NoisySeries(Points, seed: 42);
        _writes = new PointsRecorded[Points / PointsPerWrite];
        for (var w = 0; w < _writes.Length; w++)
        {
            var timestamps = new long[PointsPerWrite];
            _writes[w] = new PointsRecorded(timestamps, series.AsSpan(w * PointsPerWrite, PointsPerWrite).ToArray());
        }
        _detection = new SeriesDetection(Set(), 1000);
        Observe();
        var snapshot = _detection.ToSnapshot();
        var detectorBytes = snapshot.Detectors.Sum(d => d.State.Length);
        Console.WriteLine($"// {Family}: detector state {detectorBytes} bytes ({string.Join(", ", snapshot.Detectors.Select(d => $"{d.Key.Split('(')[0]} {d.State.Length}"))}), " +
            $"{snapshot.Anomalies.Length} findings kept after {Points} points");
    }

    /// <summary>Timestamps move forward every round, so the detectors keep scoring (they skip points they have seen).</summary>
    private double Observe()
    {
        var found = 0;
        foreach (var write in _writes)
        {
            for (var i = 0; i < write.Timestamps.Length; i++) write.Timestamps[i] = _nextTimestamp += 30_000;
            found += _detection.Observe(write)?.Length ?? 0;
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double Steady() => Observe();
}
