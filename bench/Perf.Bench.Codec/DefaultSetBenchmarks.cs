using BenchmarkDotNet.Attributes;
using Perf.Analytics.Detection;

namespace Perf.Bench.Codec;

/// <summary>
/// The default detector set of hocon/perf.conf (perf.detection: ensemble with historyLength 700, iid-spike,
/// iid-changepoint with the mixture martingale, at the default sensitivity 0.8) run directly, without the series
/// actor's bookkeeping, on the 10k-point series of <see cref="DetectorBenchmarks"/>. <c>set</c> runs all three on every
/// point; the other cases run one member alone, so the parts can be compared with the whole. ns per point.
/// </summary>
/// <remarks>
/// Steady keeps feeding one series, so the ensemble finds its decoded values and slow means still in the thread's
/// scratch (as a series fed a batch of points does after the batch's first point, and a CLI run over one file does).
/// Interleaved feeds <see cref="Series"/> series one point each in turn, so every ensemble point starts from a scratch
/// holding another series: the cost of a series whose points arrive one at a time among many.
/// Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.
/// </remarks>
[MemoryDiagnoser]
public class DefaultSetBenchmarks
{
    private const int Points = 10_000;

    /// <summary>Series taking turns in <see cref="Interleaved"/>.</summary>
    private const int Series = 16;

    /// <summary>Points per series per invocation of <see cref="Interleaved"/>.</summary>
    private const int InterleavedPoints = 1_000;

    private double[] _series = [];
    private double[] _row = [];
    private IStreamingDetector[] _detectors = [];
    private IStreamingDetector[][] _sets = [];
    private int _offset;

    [Params("set", "ensemble", "iid-spike", "iid-changepoint")]
    public string Part { get; set; } = "set";

    /// <summary>The members of the default set, with the options the engine derives from perf.conf (sensitivity 0.8).</summary>
    public static IStreamingDetector[] Create(string part)
    {
        IStreamingDetector ensemble = new EnsembleDetector(new EnsembleOptions { Sensitivity = 0.8, HistoryLength = 700 });
        IStreamingDetector spike = new IidSpikeDetector(new IidSpikeOptions(Confidence: 99.9));
        IStreamingDetector changePoint = new IidChangePointDetector(new IidChangePointOptions(Confidence: 95, Martingale: MartingaleType.Mixture));
        return part switch
        {
            "set" => [ensemble, spike, changePoint],
            "ensemble" => [ensemble],
            "iid-spike" => [spike],
            "iid-changepoint" => [changePoint],
            _ => throw new ArgumentOutOfRangeException(nameof(part), part, null),
        };
    }

    [GlobalSetup]
    public void Setup()
    {
        _series = DetectorBenchmarks.NoisySeries(Points, seed: 42);
        _detectors = Create(Part);
        _row = new double[8];
        Run(_detectors);
        Console.WriteLine($"// {Part}: state {_detectors.Sum(d => DetectorState.ToBytes(d).Length)} bytes after {Points} points");
        _sets = [.. Enumerable.Range(0, Series).Select(_ => Create(Part))];
        foreach (var set in _sets)
        {
            Run(set);
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double Steady() => Run(_detectors);

    [Benchmark(OperationsPerInvoke = Points)]
    public double FromScratch() => Run(Create(Part));

    [Benchmark(OperationsPerInvoke = Series * InterleavedPoints)]
    public double Interleaved()
    {
        Span<double> row = _row;
        double alerts = 0;
        for (int p = 0; p < InterleavedPoints; p++)
        {
            double value = _series[(_offset + p) % Points];
            foreach (var set in _sets)
            {
                foreach (var detector in set)
                {
                    var output = row[..detector.OutputColumns.Count];
                    detector.Update(value, output);
                    alerts += output[0];
                }
            }
        }

        _offset = (_offset + InterleavedPoints) % Points;
        return alerts;
    }

    private double Run(IStreamingDetector[] detectors)
    {
        Span<double> row = _row;
        double alerts = 0;
        foreach (double value in _series)
        {
            foreach (var detector in detectors)
            {
                var output = row[..detector.OutputColumns.Count];
                detector.Update(value, output);
                alerts += output[0];
            }
        }

        return alerts;
    }
}
