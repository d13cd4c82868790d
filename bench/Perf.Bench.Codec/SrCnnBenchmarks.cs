using BenchmarkDotNet.Attributes;
using Perf.Analytics.Detection;

namespace Perf.Bench.Codec;

/// <summary>
/// Spectral-residual detectors over 10k points of a noisy daily-seasonal series with a few spikes.
/// Streaming: one <see cref="SrCnnDetector.Update"/> per point (defaults: window 64, so a 69-point FFT pair);
/// the reported time is per point (OperationsPerInvoke). Entire: one batch call over the whole series, also per point.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class SrCnnBenchmarks
{
    private const int Points = 10_000;
    private readonly double[] _output = new double[3];
    private double[] _values = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _values = new double[Points];
        for (int i = 0; i < Points; i++)
        {
            _values[i] = 100 + (10 * Math.Sin(2 * Math.PI * i / 288)) + (random.NextDouble() * 4) - 2;
        }

        for (int i = 500; i < Points; i += 1000)
        {
            _values[i] += 50;
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double StreamingUpdatePerPoint()
    {
        var detector = new SrCnnDetector();
        double alerts = 0;
        foreach (double value in _values)
        {
            detector.Update(value, _output);
            alerts += _output[0];
        }

        return alerts;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double EntireBatch1024PerPoint()
    {
        var rows = new SrCnnEntireDetector().Detect(_values);
        return rows[^1][1];
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double EntireMarginPerPoint()
    {
        var rows = new SrCnnEntireDetector(new SrCnnEntireOptions { DetectMode = SrCnnDetectMode.AnomalyAndMargin }).Detect(_values);
        return rows[^1][5];
    }
}
