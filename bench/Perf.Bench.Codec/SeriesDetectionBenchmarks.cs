using BenchmarkDotNet.Attributes;
using Perf.Actors.Configuration;
using Perf.Host;
using Perf.Actors.Series;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Codec;

/// <summary>
/// The full per-series detector set as a series actor runs it (<see cref="SeriesDetection.Observe"/>), with the detector
/// families of the shipped hocon/perf.conf: cpu.usage (utilisation: ensemble, iid-spike, iid-changepoint, like latency,
/// traffic and the default family) and memory.used (capacity: ensemble, iid-changepoint). Points arrive in writes of 10
/// (a group-committed journal write of a busy series). Reports ns per point; the setup prints the bytes of state.
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

    [Params("cpu.usage", "memory.used")]
    public string Metric { get; set; } = "cpu.usage";

    /// <summary>The shipped configuration, found by walking up from the benchmark's binaries to the repository.</summary>
    private DetectorSet Set()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "hocon", "perf.conf"))) directory = directory.Parent;
        if (directory is null) throw new DirectoryNotFoundException("hocon/perf.conf above " + AppContext.BaseDirectory);
        var (_, settings) = PerfConfiguration.Load(Path.GetTempPath(), new System.Collections.Hashtable(), Path.Combine(directory.FullName, "hocon"));
        return settings.Engine.Detection.For(Metric);
    }

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
        Console.WriteLine($"// {Metric} ({_detection.Views().Length} detectors): detector state {detectorBytes} bytes ({string.Join(", ", snapshot.Detectors.Select(d => $"{d.Key.Split('(')[0]} {d.State.Length}"))}), " +
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
