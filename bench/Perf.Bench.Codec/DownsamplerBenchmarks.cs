using BenchmarkDotNet.Attributes;
using Perf.Analytics.Aggregation;
using Perf.Analytics.Compression;

namespace Perf.Bench.Codec;

/// <summary>A dashboard query over ~3.5 days of a 30 s series: p99 per 5-minute bucket (10 points each) or per day.</summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class DownsamplerBenchmarks
{
    private DataPoint[] _points = [];

    [Params(300_000, 86_400_000)]
    public long StepMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _points = new DataPoint[10_000];
        for (int i = 0; i < _points.Length; i++)
        {
            _points[i] = new DataPoint(1_710_928_800_000 + (i * 30_000L), random.NextDouble() * 100);
        }
    }

    [Benchmark]
    public List<DataPoint> P99Over10kPoints() => Downsampler.Aggregate(_points, StepMs, AggregationKind.P99);
}
