using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

public sealed class SrCnnDetectorTests
{
    /// <summary>mlnet-vectors sections 9 and 11g: the 26-point input with a spike of 10 at index 20.</summary>
    private static readonly double[] SpikeInput =
        [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 5, 5, 5, 5, 5];

    /// <summary>Sections 9 / 11g parameters: (16, 5, 5, 3, 8, 0.35).</summary>
    private static readonly SrCnnOptions SectionNineOptions = new()
    {
        WindowSize = 16,
        BackAddWindowSize = 5,
        LookaheadWindowSize = 5,
        AveragingWindowSize = 3,
        JudgementWindowSize = 8,
        Threshold = 0.35,
    };

    /// <summary>Section 9, recomputed block (full precision); rows 15-19 are NOISE (see <see cref="NoiseRows"/>).</summary>
    public static TheoryData<int, double, double, double> SectionNineRows()
    {
        var data = new TheoryData<int, double, double, double>();
        for (int i = 0; i < 15; i++)
        {
            data.Add(i, 0, 0, 0);
        }

        data.Add(20, 1, 0.469264, 0.931909);
        data.Add(21, 0, 0.306988, 0.496824);
        data.Add(22, 0, 0.045102, 0.301624);
        data.Add(23, 0, 0.00718899, 0.228303);
        data.Add(24, 0, 0.00364754, 0.207208);
        data.Add(25, 0, 0.0133683, 0.24976);
        return data;
    }

    [Theory]
    [MemberData(nameof(SectionNineRows))]
    public void SectionNine_MatchesTheVectors(int index, double alert, double score, double mag)
    {
        var rows = Run(new SrCnnDetector(SectionNineOptions), SpikeInput);

        Assert.Equal(alert, rows[index][0]);
        // Vectors carry 6 significant digits; ML.NET itself computes in float32.
        Assert.Equal(score, rows[index][1], 1e-5);
        Assert.Equal(mag, rows[index][2], 1e-5);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(18)]
    [InlineData(19)]
    public void SectionNine_NoiseRows_DoNotAlert(int index)
    {
        var rows = Run(new SrCnnDetector(SectionNineOptions), SpikeInput);

        Assert.Equal(0, rows[index][0]);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(19)]
    public void SectionNine_NoiseRows_MatchExactArithmetic(int index)
    {
        // Not an ML.NET vector (ML.NET log-transforms float32 round-off there): the recomputed exact-arithmetic row,
        // which the detector reproduces because spectral bins at round-off level count as zero.
        var rows = Run(new SrCnnDetector(SectionNineOptions), SpikeInput);

        Assert.Equal(1.0 / 21, rows[index][2], 1e-12);
        Assert.Equal(0, rows[index][1], 1e-12);
    }

    [Fact]
    public void Section11g_AlertsOnlyAtIndex20()
    {
        var rows = Run(new SrCnnDetector(SectionNineOptions), SpikeInput);

        var alerts = Enumerable.Range(0, rows.Length).Where(i => rows[i][0] == 1).ToArray();
        Assert.Equal([20], alerts);
        Assert.All(rows, row => Assert.True(row[0] is 0 or 1));
    }

    [Fact]
    public void FirstWindowMinusOneRowsAreZero_ThenScoring()
    {
        var detector = new SrCnnDetector();
        var rows = Run(detector, Series(200, seed: 1));

        for (int i = 0; i < 63; i++)
        {
            Assert.Equal([0.0, 0.0, 0.0], rows[i]);
        }

        Assert.True(rows[63][2] > 0);
        Assert.Equal(64, detector.Count);
    }

    [Fact]
    public void DetectsASpikeWithDefaultOptions()
    {
        var values = Series(300, seed: 2);
        values[250] += 40;

        var rows = Run(new SrCnnDetector(), values);

        Assert.Equal(1, rows[250][0]);
        Assert.True(rows[250][1] > rows.Skip(64).Where((_, i) => i + 64 != 250).Max(r => r[1]));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(5.0)]
    [InlineData(-3.25)]
    [InlineData(0.1)]
    [InlineData(1e9)]
    [InlineData(-7.5e-7)]
    public void ConstantInputNeverAlerts(double constant)
    {
        foreach (var options in new[] { new SrCnnOptions(), SectionNineOptions, new SrCnnOptions { WindowSize = 97 }, new SrCnnOptions { WindowSize = 126 } })
        {
            var rows = Run(new SrCnnDetector(options), Enumerable.Repeat(constant, 400).ToArray());

            Assert.All(rows, row => Assert.Equal(0, row[0]));
            Assert.All(rows, row => Assert.True(row[1] < 1e-9, $"score {row[1]}"));
        }
    }

    [Fact]
    public void NaNOutputsZeroAndNaNs_AndLeavesTheStateUntouched()
    {
        var values = Series(150, seed: 4);
        var detector = new SrCnnDetector();
        var reference = new SrCnnDetector();
        var output = new double[3];
        var referenceOutput = new double[3];
        for (int i = 0; i < values.Length; i++)
        {
            if (i % 7 == 3)
            {
                byte[] before = StateBytes(detector);
                foreach (double missing in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                {
                    detector.Update(missing, output);
                    Assert.Equal(0, output[0]);
                    Assert.True(double.IsNaN(output[1]) && double.IsNaN(output[2]));
                }

                Assert.Equal(before, StateBytes(detector));
            }

            detector.Update(values[i], output);
            reference.Update(values[i], referenceOutput);
            AssertBitEqual(referenceOutput, output, i);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(500)]
    public void SaveRestoreContinuesBitForBit(int pointsBeforeSave)
    {
        var values = Series(pointsBeforeSave + 300, seed: 5);
        values[pointsBeforeSave + 120] = double.NaN;
        values[pointsBeforeSave + 200] += 60;
        var options = new SrCnnOptions { JudgementWindowSize = 17, Threshold = 0.25 };
        var uninterrupted = Run(new SrCnnDetector(options), values);

        var original = new SrCnnDetector(options);
        Run(original, values.AsSpan(0, pointsBeforeSave));
        byte[] state = StateBytes(original);

        using var reader = new BinaryReader(new MemoryStream(state));
        Assert.Equal(SrCnnDetector.StateTag, reader.ReadString());
        var restored = SrCnnDetector.ReadState(reader);
        Assert.Equal(state.Length, reader.BaseStream.Position);
        Assert.Equal(options, restored.Options);
        Assert.Equal(state, StateBytes(restored));

        var continued = Run(restored, values.AsSpan(pointsBeforeSave));
        for (int i = 0; i < continued.Length; i++)
        {
            AssertBitEqual(uninterrupted[pointsBeforeSave + i], continued[i], pointsBeforeSave + i);
        }

        // The original keeps going identically too (saving does not disturb it).
        var originalContinued = Run(original, values.AsSpan(pointsBeforeSave));
        for (int i = 0; i < continued.Length; i++)
        {
            AssertBitEqual(continued[i], originalContinued[i], pointsBeforeSave + i);
        }
    }

    [Fact]
    public void StateSize_DefaultOptionsFullWindow_Is548Bytes()
    {
        var detector = new SrCnnDetector();
        Run(detector, Series(1000, seed: 6));

        // tag "sr" (3) + version (1) + 5 ints (20) + threshold (8) + count (4) + 64 doubles (512).
        Assert.Equal(548, StateBytes(detector).Length);
    }

    [Fact]
    public void ReadStateRejectsCorruptData()
    {
        var detector = new SrCnnDetector();
        Run(detector, Series(10, seed: 7));
        byte[] state = StateBytes(detector);

        byte[] badVersion = (byte[])state.Clone();
        badVersion[3] = 99;
        Assert.Throws<InvalidDataException>(() => ReadAfterTag(badVersion));

        byte[] badWindow = (byte[])state.Clone();
        BitConverter.GetBytes(-5).CopyTo(badWindow, 4);
        Assert.Throws<InvalidDataException>(() => ReadAfterTag(badWindow));

        byte[] badCount = (byte[])state.Clone();
        BitConverter.GetBytes(65).CopyTo(badCount, 32);
        Assert.Throws<InvalidDataException>(() => ReadAfterTag(badCount));

        Assert.Throws<EndOfStreamException>(() => ReadAfterTag(state[..^4]));
    }

    [Fact]
    public void NameAndColumns()
    {
        IStreamingDetector detector = new SrCnnDetector();

        Assert.Equal("sr", detector.Name);
        Assert.Equal(SrCnnDetector.StateTag, detector.Name);
        Assert.Equal(["Alert", "Score", "Mag"], detector.OutputColumns);
        Assert.Throws<ArgumentException>(() => detector.Update(1, new double[2]));
    }

    [Fact]
    public void DefaultOptionsAreTheMlNetDefaults()
    {
        var options = new SrCnnOptions();

        Assert.Equal(64, options.WindowSize);
        Assert.Equal(5, options.BackAddWindowSize);
        Assert.Equal(5, options.LookaheadWindowSize);
        Assert.Equal(3, options.AveragingWindowSize);
        Assert.Equal(21, options.JudgementWindowSize);
        Assert.Equal(0.3, options.Threshold);
    }

    [Theory]
    [InlineData("WindowSize")]
    [InlineData("BackAddWindowSize")]
    [InlineData("LookaheadWindowSize")]
    [InlineData("AveragingWindowSize")]
    [InlineData("JudgementWindowSize")]
    [InlineData("Threshold")]
    public void InvalidOptionsNameTheParameter(string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => name switch
        {
            "WindowSize" => new SrCnnOptions { WindowSize = 2 },
            "BackAddWindowSize" => new SrCnnOptions { BackAddWindowSize = 0 },
            "LookaheadWindowSize" => new SrCnnOptions { LookaheadWindowSize = -1 },
            "AveragingWindowSize" => new SrCnnOptions { AveragingWindowSize = 0 },
            "JudgementWindowSize" => new SrCnnOptions { JudgementWindowSize = 0 },
            _ => new SrCnnOptions { Threshold = double.NaN },
        });

        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void WindowMustExceedLookaheadPlusOne()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SrCnnDetector(new SrCnnOptions { WindowSize = 6, LookaheadWindowSize = 5 }));
        Assert.Equal("WindowSize", e.ParamName);
        _ = new SrCnnDetector(new SrCnnOptions { WindowSize = 7, LookaheadWindowSize = 5 });
    }

    internal static double[][] Run(SrCnnDetector detector, ReadOnlySpan<double> values)
    {
        var rows = new double[values.Length][];
        for (int i = 0; i < values.Length; i++)
        {
            rows[i] = new double[3];
            detector.Update(values[i], rows[i]);
        }

        return rows;
    }

    /// <summary>A seasonal series with noise, around 100.</summary>
    internal static double[] Series(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = 100 + (10 * Math.Sin(2 * Math.PI * i / 24)) + (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    private static byte[] StateBytes(SrCnnDetector detector)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            detector.WriteState(writer);
        }

        return stream.ToArray();
    }

    private static SrCnnDetector ReadAfterTag(byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state));
        Assert.Equal(SrCnnDetector.StateTag, reader.ReadString());
        return SrCnnDetector.ReadState(reader);
    }

    private static void AssertBitEqual(double[] expected, double[] actual, int index)
    {
        for (int c = 0; c < expected.Length; c++)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(expected[c]) == BitConverter.DoubleToInt64Bits(actual[c]),
                $"row {index} column {c}: expected {expected[c]:R}, got {actual[c]:R}");
        }
    }
}
