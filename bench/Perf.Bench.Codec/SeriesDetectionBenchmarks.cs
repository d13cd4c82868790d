using BenchmarkDotNet.Attributes;
using Perf.Actors.Configuration;
using Perf.Host;
using Perf.Actors.Series;

namespace Perf.Bench.Codec;

/// <summary>
/// The full per-series detector set as a host runs it on each point (<see cref="SeriesDetection.Observe"/>), with the detector
/// families of the shipped hocon/perf.conf: cpu.usage (utilisation: ensemble, iid-spike, iid-changepoint, like latency,
/// traffic and the default family) and memory.used (capacity: ensemble, iid-changepoint). Reports ns per point; the setup
/// prints the bytes of state.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class SeriesDetectionBenchmarks
{
    private const int Points = 10_000;
    private double[] _values = [];
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
        _values = DetectorBenchmarks.NoisySeries(Points, seed: 42);
        _detection = new SeriesDetection(Set(), 1000);
        Observe();
        var snapshot = _detection.ToSnapshot();
        var detectorBytes = snapshot.Detectors.Sum(d => d.State.Length);
        Console.WriteLine($"// {Metric} ({_detection.Views().Length} detectors): detector state {detectorBytes} bytes ({string.Join(", ", snapshot.Detectors.Select(d => $"{d.Key.Split('(')[0]} {d.State.Length}"))}), " +
            $"{snapshot.Findings.Count} findings kept after {Points} points");
    }

    /// <summary>Timestamps move forward every round, so the detectors keep scoring (they skip points they have seen).</summary>
    private double Observe()
    {
        List<Anomaly>? found = null;
        foreach (var value in _values) _detection.Observe(_nextTimestamp += 30_000, value, ref found);
        return found?.Count ?? 0;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double Steady() => Observe();
}
