using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;

namespace Perf.Bench.Codec;

/// <summary>
/// One remote write request as the load generator sends it (1,000 series of one sample, labelled
/// <c>__name__=bench_metric_N, instance=bench-HHHH, job=bench</c>), from the snappy body to every label and sample.
/// Results are per sample (<c>OperationsPerInvoke</c>): time and bytes allocated.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a subclass of every benchmark type.</remarks>
[MemoryDiagnoser]
public class RemoteWriteBenchmarks
{
    private const int Series = 1000;
    private const int Hosts = 100;
    private const long Limit = 64 << 20;

    private byte[] _body = [];
    private ulong _hashes; // Keeps the hash from being optimised away without changing the checksum.

    [GlobalSetup]
    public void Setup()
    {
        var request = new WriteRequest();
        for (var s = 0; s < Series; s++)
        {
            var ts = new TimeSeries();
            ts.Labels.Add(RemoteWriteCodec.Label("__name__", "bench_metric_" + (s / Hosts).ToString(CultureInfo.InvariantCulture)));
            ts.Labels.Add(RemoteWriteCodec.Label("instance", "bench-" + (s % Hosts).ToString("D4", CultureInfo.InvariantCulture)));
            ts.Labels.Add(RemoteWriteCodec.Label("job", "bench"));
            ts.Samples.Add(new Sample { Timestamp = 1_795_000_000_000 + s, Value = Math.Round(50 + 20 * Math.Sin(s / 30.0), 2) });
            request.Timeseries.Add(ts);
        }
        _body = RemoteWriteCodec.Encode(request);
        if (ObjectModel() != Reader()) throw new InvalidOperationException("the two decoders disagree");
    }

    /// <summary>Today's path: the Google.Protobuf object model, walked label by label and sample by sample.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Series)]
    public long ObjectModel()
    {
        var request = RemoteWriteCodec.Decode(_body, Limit);
        long checksum = 0;
        foreach (var series in request.Timeseries)
        {
            foreach (var label in series.Labels) checksum += label.Name.Span.Length + label.Value.Span.Length;
            foreach (var sample in series.Samples) checksum += sample.Timestamp + (long)sample.Value;
        }
        return checksum;
    }

    /// <summary>The new path for a series seen for the first time: every label and sample, plus the label hash.</summary>
    [Benchmark(OperationsPerInvoke = Series)]
    public long Reader()
    {
        var buffer = RemoteWriteBody.Decompress(_body, Limit, out var length);
        try
        {
            long checksum = 0;
            var reader = new RemoteWriteReader(buffer.AsSpan(0, length));
            while (reader.MoveNext())
            {
                foreach (var label in reader.Labels) checksum += label.Name.Length + label.Value.Length;
                foreach (var sample in reader.Samples) checksum += sample.Timestamp + (long)sample.Value;
                _hashes ^= reader.HashLabels();
            }
            return checksum;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The new path for a series already known: the label hash and bytes (no label walk), then the samples.</summary>
    [Benchmark(OperationsPerInvoke = Series)]
    public long ReaderKnownSeries()
    {
        var buffer = RemoteWriteBody.Decompress(_body, Limit, out var length);
        try
        {
            long checksum = 0;
            var reader = new RemoteWriteReader(buffer.AsSpan(0, length));
            while (reader.MoveNext())
            {
                checksum += (long)reader.HashLabels() + reader.LabelBytes.Length;
                foreach (var sample in reader.Samples) checksum += sample.Timestamp + (long)sample.Value;
            }
            return checksum;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Snappy alone, into the pooled buffer: the floor under both reader benchmarks.</summary>
    [Benchmark(OperationsPerInvoke = Series)]
    public int DecompressOnly()
    {
        var buffer = RemoteWriteBody.Decompress(_body, Limit, out var length);
        ArrayPool<byte>.Shared.Return(buffer);
        return length;
    }
}
