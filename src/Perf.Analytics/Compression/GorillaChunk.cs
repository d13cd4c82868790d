namespace Perf.Analytics.Compression;

/// <summary>Reads chunks produced by <see cref="GorillaChunkEncoder"/>.</summary>
/// <remarks>Malformed or truncated input raises <see cref="FormatException"/>; bytes after the stream are ignored.</remarks>
public static class GorillaChunk
{
    /// <summary>Decodes every point of the chunk, in time order.</summary>
    public static DataPoint[] Decode(ReadOnlySpan<byte> chunk)
    {
        var reader = new GorillaReader(chunk);
        if (reader.Count == 0)
        {
            return [];
        }

        var points = new DataPoint[reader.Count];
        int i = 0;
        while (reader.MoveNext())
        {
            points[i++] = reader.Current;
        }

        return points;
    }

    /// <summary>Reads the point count from the header without decoding the stream.</summary>
    public static int CountOf(ReadOnlySpan<byte> chunk) => GorillaFormat.ReadCount(chunk, out _);

    /// <summary>Appends, in order, the points with <paramref name="fromMs"/> &lt;= t &lt;= <paramref name="toMs"/>.</summary>
    public static void DecodeInto(ReadOnlySpan<byte> chunk, List<DataPoint> destination, long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var reader = new GorillaReader(chunk);
        // Chunks are time-ordered, so one starting after the range needs no stream decoding at all.
        if (reader.Count == 0 || fromMs > toMs || reader.FirstTimestampMs > toMs)
        {
            return;
        }

        while (reader.MoveNext())
        {
            long timestampMs = reader.TimestampMs;
            if (timestampMs > toMs)
            {
                return;
            }

            if (timestampMs >= fromMs)
            {
                destination.Add(reader.Current);
            }
        }
    }
}
