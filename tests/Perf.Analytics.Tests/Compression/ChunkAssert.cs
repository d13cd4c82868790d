using Perf.Analytics.Compression;
using Xunit;

namespace Perf.Analytics.Tests.Compression;

/// <summary>Compares points bit for bit: record equality treats 0.0 and -0.0 as equal and ignores NaN payloads.</summary>
internal static class ChunkAssert
{
    public static void BitExact(IReadOnlyList<DataPoint> expected, IReadOnlyList<DataPoint> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(
                expected[i].TimestampMs == actual[i].TimestampMs
                    && BitConverter.DoubleToInt64Bits(expected[i].Value) == BitConverter.DoubleToInt64Bits(actual[i].Value),
                $"point {i}: expected ({expected[i].TimestampMs}, 0x{BitConverter.DoubleToInt64Bits(expected[i].Value):X16}) "
                + $"but got ({actual[i].TimestampMs}, 0x{BitConverter.DoubleToInt64Bits(actual[i].Value):X16})");
        }
    }

    public static GorillaChunkEncoder Encode(IEnumerable<DataPoint> points)
    {
        var encoder = new GorillaChunkEncoder();
        foreach (var point in points)
        {
            encoder.Append(point.TimestampMs, point.Value);
        }

        return encoder;
    }
}
