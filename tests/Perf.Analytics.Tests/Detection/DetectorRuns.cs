using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>Drives detectors over series and round-trips their state.</summary>
public static class DetectorRuns
{
    public static double[][] Run(IStreamingDetector detector, IEnumerable<double> values)
    {
        var rows = new List<double[]>();
        foreach (double value in values)
        {
            var row = new double[detector.OutputColumns.Count];
            detector.Update(value, row);
            rows.Add(row);
        }

        return [.. rows];
    }

    public static double[] Step(IStreamingDetector detector, double value)
    {
        var row = new double[detector.OutputColumns.Count];
        detector.Update(value, row);
        return row;
    }

    /// <summary>WriteState then DetectorState.Read through a byte array (a checkpoint to disk and back).</summary>
    public static IStreamingDetector RoundTrip(IStreamingDetector detector)
    {
        byte[] bytes = DetectorState.ToBytes(detector);
        IStreamingDetector restored = DetectorState.FromBytes(bytes);
        Assert.Equal(detector.GetType(), restored.GetType());
        Assert.Equal(detector.Name, restored.Name);
        Assert.Equal(bytes, DetectorState.ToBytes(restored));
        return restored;
    }

    /// <summary>Bit-for-bit equality of two output tables.</summary>
    public static void AssertIdentical(double[][] expected, double[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int c = 0; c < expected[i].Length; c++)
            {
                Assert.True(
                    BitConverter.DoubleToInt64Bits(expected[i][c]) == BitConverter.DoubleToInt64Bits(actual[i][c]),
                    $"{what}: row {i} column {c}: {expected[i][c]:R} != {actual[i][c]:R}");
            }
        }
    }
}
