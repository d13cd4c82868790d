using BenchmarkDotNet.Attributes;
using Perf.Analytics.Compression;

namespace Perf.Bench.Codec;

/// <summary>One sealed chunk's worth of work: 120 points of a 30 s series (one hour of one metric).</summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class GorillaCodecBenchmarks
{
    private const int Points = 120;

    private readonly long[] _timestamps = new long[Points];
    private readonly double[] _values = new double[Points];
    private byte[] _chunk = [];

    [GlobalSetup]
    public void Setup()
    {
        // Collection jitter of a few ms and a 0.1 %-resolution CPU walk: a realistic, not a best, case.
        var random = new Random(42);
        long timestamp = 1_710_928_800_000;
        double cpu = 40;
        for (int i = 0; i < Points; i++)
        {
            timestamp += 30_000 + random.Next(-5, 6);
            cpu = Math.Round(Math.Clamp(cpu + (random.Next(-3, 4) / 10.0), 0, 100), 1);
            _timestamps[i] = timestamp;
            _values[i] = cpu;
        }

        _chunk = Encode120Points();
    }

    [Benchmark]
    public byte[] Encode120Points()
    {
        var encoder = new GorillaChunkEncoder();
        for (int i = 0; i < Points; i++)
        {
            encoder.Append(_timestamps[i], _values[i]);
        }

        return encoder.ToArray();
    }

    [Benchmark]
    public DataPoint[] Decode120Points() => GorillaChunk.Decode(_chunk);
}
