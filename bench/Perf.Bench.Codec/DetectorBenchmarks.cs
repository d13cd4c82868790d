using BenchmarkDotNet.Attributes;
using Perf.Analytics.Detection;

namespace Perf.Bench.Codec;

/// <summary>
/// Cost per point of the streaming detectors (defaults) and the ensemble on a 10k-point noisy daily-seasonal series.
/// Steady: a trained detector keeps consuming the series (the per-point cost of a live series).
/// FromScratch: a new detector per 10k points, training (SSA: at the 100th point) included.
/// Both report ns per point (OperationsPerInvoke). The state size is printed by the setup.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private const int Points = 10_000;

    private double[] _series = [];
    private double[] _row = [];
    private IStreamingDetector _detector = null!;

    [Params("iid-spike", "iid-changepoint", "ssa-spike", "ssa-changepoint", "ensemble")]
    public string Detector { get; set; } = "iid-spike";

    public static IStreamingDetector Create(string name) => name switch
    {
        "iid-spike" => new IidSpikeDetector(),
        "iid-changepoint" => new IidChangePointDetector(),
        "ssa-spike" => new SsaSpikeDetector(),
        "ssa-changepoint" => new SsaChangePointDetector(),
        "ensemble" => new EnsembleDetector(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static double[] NoisySeries(int length, int seed)
    {
        var random = new Random(seed);
        var series = new double[length];
        for (int i = 0; i < length; i++)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double noise = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            series[i] = 50 + (3 * Math.Sin(2 * Math.PI * i / 24)) + noise + (random.NextDouble() < 0.005 ? 25 : 0);
        }

        return series;
    }

    [GlobalSetup]
    public void Setup()
    {
        _series = NoisySeries(Points, seed: 42);
        _detector = Create(Detector);
        _row = new double[_detector.OutputColumns.Count];
        foreach (double value in _series)
        {
            _detector.Update(value, _row);
        }

        Console.WriteLine($"// {Detector}: state {DetectorState.ToBytes(_detector).Length} bytes after {Points} points");
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double Steady()
    {
        Span<double> row = _row;
        IStreamingDetector detector = _detector;
        foreach (double value in _series)
        {
            detector.Update(value, row);
        }

        return row[1];
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double FromScratch()
    {
        IStreamingDetector detector = Create(Detector);
        Span<double> row = _row;
        foreach (double value in _series)
        {
            detector.Update(value, row);
        }

        return row[1];
    }
}
