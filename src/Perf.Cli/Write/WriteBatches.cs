using Perf.Protocols.LineProtocol;

namespace Perf.Cli.Write;

/// <summary>
/// Cuts valid line protocol into requests of at most <c>pointsPerBatch</c> points, at the lines where points start (a
/// string field may span lines, so a cut inside a point would break it). The bytes of each batch are the input's own.
/// </summary>
public static class WriteBatches
{
    public static IReadOnlyList<(ReadOnlyMemory<byte> Body, int Points)> Split(ReadOnlyMemory<byte> input, IReadOnlyList<LinePoint> points, int pointsPerBatch)
    {
        // Where each line starts: lineStarts[n - 1] is the offset of line n.
        var lineStarts = new List<int> { 0 };
        var span = input.Span;
        for (var i = 0; i < span.Length; i++)
            if (span[i] == (byte)'\n') lineStarts.Add(i + 1);

        var batches = new List<(ReadOnlyMemory<byte>, int)>();
        for (var first = 0; first < points.Count; first += pointsPerBatch)
        {
            var last = Math.Min(first + pointsPerBatch, points.Count);
            var start = lineStarts[points[first].Line - 1];
            var end = last < points.Count ? lineStarts[points[last].Line - 1] : input.Length;
            batches.Add((input[start..end], last - first));
        }
        return batches;
    }
}
