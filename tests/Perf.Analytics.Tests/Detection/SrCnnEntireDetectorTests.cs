using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

public sealed class SrCnnEntireDetectorTests
{
    /// <summary>mlnet-vectors section 10 / 11h input.</summary>
    private static readonly double[] SpikeInput =
        [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 5, 5, 5, 5, 5];

    /// <summary>Section 10, Mag column (identical in every recomputed block and mode).</summary>
    private static readonly double[] SectionTenMag =
    [
        0.206022, 0.113422, 0.0316366, 0.0133346, 0.0313222, 0.0649798, 0.0222994, 0.0112816, 0.00913423, 0.0106589,
        0.00430847, 0.00607501, 0.00763823, 0.0173991, 0.0718392, 0.0783842, 0.0211584, 0.0525118, 0.123619, 0.174196,
        0.801014, 0.163478, 0.107264, 0.0530174, 0.111385, 0.194307,
    ];

    /// <summary>Section 10, AnomalyOnly block (threshold 0.35): the recomputed RawScore column.</summary>
    private static readonly double[] SectionTenRawScore =
    [
        0.337162, 0.140671, 0.0328698, 0.0717052, 0.033537, 0.0378815, 0.0526827, 0.0760615, 0.080618, 0.0773826,
        0.0908578, 0.0871093, 0.0813391, 0.0556721, 0.0734265, 0.0792316, 0.0501047, 0.0222143, 0.161839, 0.225228,
        0.798461, 0.0766716, 0.0151237, 0.0420574, 0.0206833, 0.101943,
    ];

    public static TheoryData<int> Indices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < SpikeInput.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static TheoryData<SrCnnDetectMode, int> ModesAndBatchSizes()
    {
        var data = new TheoryData<SrCnnDetectMode, int>();
        foreach (var mode in Enum.GetValues<SrCnnDetectMode>())
        {
            foreach (int batch in new[] { -1, 24, 26, 512 })
            {
                data.Add(mode, batch);
            }
        }

        return data;
    }

    /// <summary>Section 10 (threshold 0.35, batch 512, sensitivity 90, AnomalyAndMargin): the Mag column.</summary>
    [Theory]
    [MemberData(nameof(Indices))]
    public void SectionTen_Mag(int index)
    {
        var rows = Detect(new SrCnnEntireOptions
        {
            Threshold = 0.35, BatchSize = 512, Sensitivity = 90, DetectMode = SrCnnDetectMode.AnomalyAndMargin,
        });

        Assert.Equal(SectionTenMag[index], rows[index][2], 2e-6);
    }

    /// <summary>Section 10 recomputed AnomalyOnly block (the spec's own re-derivation, not an ML.NET print).</summary>
    [Theory]
    [MemberData(nameof(Indices))]
    public void SectionTen_AnomalyOnly_RecomputedBlock(int index)
    {
        var rows = Detect(new SrCnnEntireOptions { Threshold = 0.35, BatchSize = 512, DetectMode = SrCnnDetectMode.AnomalyOnly });

        Assert.Equal(index == 20 ? 1 : 0, rows[index][0]);
        Assert.Equal(SectionTenRawScore[index], rows[index][1], 2e-6);
        Assert.Equal(SectionTenMag[index], rows[index][2], 2e-6);
    }

    /// <summary>Section 10 recomputed margin blocks: sensitivity 90 (margin 0.4545) and 98 (margin 0.0111).</summary>
    [Theory]
    [InlineData(90, 5.45455, 4.54545)]
    [InlineData(98, 5.01112, 4.98888)]
    public void SectionTen_Margin_RecomputedBlock(double sensitivity, double upper, double lower)
    {
        var rows = Detect(new SrCnnEntireOptions
        {
            Threshold = 0.35, BatchSize = 512, Sensitivity = sensitivity, DetectMode = SrCnnDetectMode.AnomalyAndMargin,
        });

        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(i == 20 ? 1 : 0, rows[i][0]);
            Assert.Equal(i == 20 ? 0.45 : 0, rows[i][1], 1e-9);
            Assert.Equal(5, rows[i][3], 1e-9);
            Assert.Equal(5, rows[i][4], 1e-9);
            Assert.Equal(upper, rows[i][5], 2e-5);
            Assert.Equal(lower, rows[i][6], 2e-5);
        }
    }

    /// <summary>
    /// Section 11h (TestSrCnnBatchAnomalyDetector): threshold 0.35, sensitivity 98, every mode and batch size: only
    /// index 20 is anomalous; ExpectedValue(20) = 5 +- 0.01; margin mode [1, ., ., 5.00, 5.00, 5.01, 4.99] +- 0.01.
    /// </summary>
    [Theory]
    [MemberData(nameof(ModesAndBatchSizes))]
    public void Section11h_OnlyIndex20IsAnomalous(SrCnnDetectMode mode, int batchSize)
    {
        var rows = Detect(new SrCnnEntireOptions { Threshold = 0.35, BatchSize = batchSize, Sensitivity = 98, DetectMode = mode });

        Assert.Equal(SpikeInput.Length, rows.Length);
        Assert.All(rows, row => Assert.Equal(SrCnnEntireDetector.ColumnsOf(mode).Count, row.Length));
        var anomalies = Enumerable.Range(0, rows.Length).Where(i => rows[i][0] > 0).ToArray();
        Assert.Equal([20], anomalies);
        if (mode != SrCnnDetectMode.AnomalyOnly)
        {
            Assert.Equal(5.00, rows[20][3], 0.01);
        }

        if (mode == SrCnnDetectMode.AnomalyAndMargin)
        {
            Assert.Equal(5.00, rows[20][4], 0.01);
            Assert.Equal(5.01, rows[20][5], 0.01);
            Assert.Equal(4.99, rows[20][6], 0.01);
        }
    }

    [Fact]
    public void DefaultThreshold_ZScoreFilterSuppressesIndexZero()
    {
        // Vectors section 10: at threshold 0.3 index 0 (score 0.337) is flagged by SR but lies within 1.5 std.
        var rows = Detect(new SrCnnEntireOptions());

        Assert.Equal([20], Enumerable.Range(0, rows.Length).Where(i => rows[i][0] > 0));
        Assert.Equal(0, rows[0][1]);
    }

    /// <summary>Section 12: f(s) for every integer sensitivity.</summary>
    [Fact]
    public void Section12_MarginFactorTable()
    {
        const string table =
            "0:532 1:492.8 2:455.2 3:419.2 4:384.8 5:352 6:320.8 7:291.2 8:263.2 9:236.8 10:212 11:188.8 12:167.2 13:147.2 "
            + "14:128.8 15:112 16:96.8 17:83.2 18:71.2 19:60.8 20:52 21:44.8 22:39.2 23:35.2 24:32.8 25:30 26:28.75 27:27.5 "
            + "28:26.25 29:25 30:23.75 31:22.5 32:21.25 33:20 34:18.75 35:17.5 36:16.25 37:15 38:13.75 39:12.5 40:11.25 41:10 "
            + "42:8.75 43:7.5 44:6.25 45:5 46:4.6 47:4.2 48:3.8 49:3.4 50:3 51:2.6 52:2.2 53:1.8 54:1.4 55:1 56:0.96 57:0.92 "
            + "58:0.88 59:0.84 60:0.8 61:0.76 62:0.72 63:0.68 64:0.64 65:0.6 66:0.57 67:0.54 68:0.51 69:0.48 70:0.45 71:0.42 "
            + "72:0.39 73:0.36 74:0.33 75:0.3 76:0.285 77:0.27 78:0.255 79:0.24 80:0.225 81:0.21 82:0.195 83:0.18 84:0.165 "
            + "85:0.15 86:0.138182 87:0.126364 88:0.114545 89:0.102727 90:0.0909091 91:0.0790909 92:0.0672727 93:0.0436364 "
            + "94:0.012 95:0.008 96:0.006075 97:0.00415 98:0.002225 99:0.0003 100:0";
        var entries = table.Split(' ');
        Assert.Equal(101, entries.Length);
        foreach (string entry in entries)
        {
            var parts = entry.Split(':');
            int s = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            double f = double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            // The table prints 6 significant digits: allow half a unit of the last printed digit.
            int decimals = parts[1].Contains('.') ? parts[1].Length - parts[1].IndexOf('.') - 1 : 0;
            Assert.Equal(f, SrCnnEntireDetector.MarginFactor(s), (0.5 * Math.Pow(10, -decimals)) + 1e-12);
        }
    }

    [Fact]
    public void MarginFactorInterpolatesLinearly()
    {
        Assert.Equal((0.0909091 + 0.0790909) / 2, SrCnnEntireDetector.MarginFactor(90.5), 1e-6);
        Assert.Equal(532 - (0.25 * (532 - 492.8)), SrCnnEntireDetector.MarginFactor(0.25), 1e-9);
        Assert.Equal(0, SrCnnEntireDetector.MarginFactor(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => SrCnnEntireDetector.MarginFactor(100.5));
    }

    [Fact]
    public void ShortLastBatchIsScoredAsTheTailOfAFullBatch()
    {
        var values = SrCnnDetectorTests.Series(60, seed: 11);
        values[57] += 30;
        var options = new SrCnnEntireOptions { BatchSize = 25, DetectMode = SrCnnDetectMode.AnomalyAndMargin };

        var rows = new SrCnnEntireDetector(options).Detect(values);

        // Batches [0, 25), [25, 50), then 10 points (< 12) scored within the window [35, 60).
        var first = new SrCnnEntireDetector(options with { BatchSize = -1 }).Detect(values.AsSpan(0, 25));
        var tail = new SrCnnEntireDetector(options with { BatchSize = -1 }).Detect(values.AsSpan(35, 25));
        Assert.Equal(first, rows[..25]);
        Assert.Equal(tail[15..], rows[50..]);
        Assert.Equal(1, rows[57][0]);
    }

    [Fact]
    public void ConstantSeriesHasNoAnomalies()
    {
        foreach (double constant in new[] { 0.0, 5.0, -2.5, 1e9 })
        {
            foreach (var mode in Enum.GetValues<SrCnnDetectMode>())
            {
                var rows = new SrCnnEntireDetector(new SrCnnEntireOptions { DetectMode = mode, Threshold = 0.01 })
                    .Detect(Enumerable.Repeat(constant, 100).ToArray());

                Assert.All(rows, row => Assert.Equal(0, row[0]));
                if (mode != SrCnnDetectMode.AnomalyOnly)
                {
                    Assert.All(rows, row => Assert.Equal(constant, row[3], Math.Abs(constant) * 1e-9));
                }
            }
        }
    }

    [Fact]
    public void ExpectedValueOfAOneSignedSeriesKeepsItsSign()
    {
        // A positive series whose low-pass reconstruction would dip below zero is clamped at 0.
        var values = new double[64];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i % 2 == 0 ? 0 : 0.0001;
        }

        values[10] = 100;
        var rows = new SrCnnEntireDetector(new SrCnnEntireOptions { DetectMode = SrCnnDetectMode.AnomalyAndExpectedValue }).Detect(values);

        Assert.All(rows, row => Assert.True(row[3] >= 0));
    }

    [Fact]
    public void ColumnsByMode()
    {
        Assert.Equal(["IsAnomaly", "RawScore", "Mag"], SrCnnEntireDetector.ColumnsOf(SrCnnDetectMode.AnomalyOnly));
        Assert.Equal(["IsAnomaly", "RawScore", "Mag", "ExpectedValue"], SrCnnEntireDetector.ColumnsOf(SrCnnDetectMode.AnomalyAndExpectedValue));
        Assert.Equal(
            ["IsAnomaly", "AnomalyScore", "Mag", "ExpectedValue", "BoundaryUnit", "UpperBoundary", "LowerBoundary"],
            new SrCnnEntireDetector(new SrCnnEntireOptions { DetectMode = SrCnnDetectMode.AnomalyAndMargin }).OutputColumns);
    }

    [Fact]
    public void DefaultOptionsAreTheMlNetDefaults()
    {
        var options = new SrCnnEntireOptions();

        Assert.Equal(0.3, options.Threshold);
        Assert.Equal(1024, options.BatchSize);
        Assert.Equal(99, options.Sensitivity);
        Assert.Equal(SrCnnDetectMode.AnomalyOnly, options.DetectMode);
    }

    [Fact]
    public void InvalidOptionsAndInputs()
    {
        Assert.Equal("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new SrCnnEntireOptions { Threshold = 1.5 }).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new SrCnnEntireOptions { BatchSize = 11 }).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new SrCnnEntireOptions { BatchSize = 0 }).ParamName);
        Assert.Equal("Sensitivity", Assert.Throws<ArgumentOutOfRangeException>(() => new SrCnnEntireOptions { Sensitivity = -1 }).ParamName);
        Assert.Equal("DetectMode", Assert.Throws<ArgumentOutOfRangeException>(() => new SrCnnEntireOptions { DetectMode = (SrCnnDetectMode)7 }).ParamName);

        var detector = new SrCnnEntireDetector();
        Assert.Throws<ArgumentException>(() => detector.Detect(new double[11]));
        var withNaN = new double[20];
        withNaN[3] = double.NaN;
        Assert.Throws<ArgumentException>(() => detector.Detect(withNaN));
    }

    private static double[][] Detect(SrCnnEntireOptions options) => new SrCnnEntireDetector(options).Detect(SpikeInput);
}
