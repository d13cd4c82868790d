using System.Text;
using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;

namespace Perf.Protocols.Tests.Prometheus;

/// <summary>One series as <see cref="RemoteWriteReader"/> saw it, copied out of the ref struct so tests can compare it.</summary>
internal sealed record WalkedSeries(
    int Index,
    IReadOnlyList<(string Name, string Value)> Labels,
    IReadOnlyList<(long Timestamp, ulong ValueBits)> Samples,
    byte[] LabelBytes,
    bool LabelsContiguous,
    ulong Hash)
{
    /// <summary>Every series of a decompressed request, through the reader's whole API.</summary>
    public static List<WalkedSeries> Walk(ReadOnlySpan<byte> request, long seed = 0)
    {
        var walked = new List<WalkedSeries>();
        var reader = new RemoteWriteReader(request);
        while (reader.MoveNext())
        {
            var labels = new List<(string, string)>();
            foreach (var label in reader.Labels)
                labels.Add((Encoding.UTF8.GetString(label.Name), Encoding.UTF8.GetString(label.Value)));
            var samples = new List<(long, ulong)>();
            foreach (var sample in reader.Samples)
                samples.Add((sample.Timestamp, BitConverter.DoubleToUInt64Bits(sample.Value)));
            Assert.Equal(labels.Count, reader.LabelCount);
            Assert.Equal(samples.Count, reader.SampleCount);

            var labelBytes = new byte[reader.LabelBytesLength];
            reader.CopyLabelBytes(labelBytes);
            Assert.True(reader.LabelBytesEqual(labelBytes));
            if (labelBytes.Length > 0)
            {
                var other = (byte[])labelBytes.Clone();
                other[^1] ^= 1;
                Assert.False(reader.LabelBytesEqual(other));
            }
            Assert.False(reader.LabelBytesEqual([.. labelBytes, 0]));
            if (reader.LabelsContiguous) Assert.Equal(labelBytes, reader.LabelBytes.ToArray());
            walked.Add(new WalkedSeries(reader.Index, labels, samples, labelBytes, reader.LabelsContiguous, reader.HashLabels(seed)));
        }
        return walked;
    }

    /// <summary>The same request as Google.Protobuf parses it: labels and samples only.</summary>
    public static List<(List<(string, string)> Labels, List<(long, ulong)> Samples)> Parse(byte[] request) =>
        WriteRequest.Parser.ParseFrom(request).Timeseries
            .Select(s => (
                s.Labels.Select(l => (l.Name.ToStringUtf8(), l.Value.ToStringUtf8())).ToList(),
                s.Samples.Select(x => (x.Timestamp, BitConverter.DoubleToUInt64Bits(x.Value))).ToList()))
            .ToList();
}
