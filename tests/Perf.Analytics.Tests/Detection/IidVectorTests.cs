using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>
/// mlnet-vectors.md sections 1, 3, 4, 11a and 11b (IID detectors). For IID detectors ML.NET's prediction engine and
/// batch transform agree (section 4 says so), so every section is driven by plain <see cref="IStreamingDetector.Update"/>.
/// </summary>
public sealed class IidVectorTests
{
    // Section 1 (OK): DetectIidSpike, confidence 95, pvalueHistoryLength 2; the "Recomputed (full precision)" block.
    public static readonly TheoryData<VectorRow> Section1 = [.. VectorTable.WithInput("""
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        10	1	10	1e-08
        5	0	5	0.261375032
        5	0	5	0.261375032
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        """)];

    // Section 2 is STALE (its printed block came from a W = 2 run). Its "what the code actually yields with W = 10"
    // block is the spec's own re-derivation, kept as an extra check of the not-yet-full history (no alert).
    public static readonly TheoryData<VectorRow> Section2Recomputed = [.. VectorTable.WithInput("""
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        5	0	5	0.5
        10	0	10	1e-08
        5	0	5	0.417274205
        5	0	5	0.428876204
        5	0	5	0.437656066
        5	0	5	0.444525714
        5	0	5	0.450042912
        """)];

    // Section 3 (OK): DetectIidChangePoint, confidence 95, changeHistoryLength 4, Power eps 0.1; "Recomputed" block.
    public static readonly TheoryData<VectorRow> Section3 = [.. VectorTable.WithInput("""
        5	0	5	0.5	0.00121257325
        5	0	5	0.5	0.00121257325
        5	0	5	0.5	0.00121257326
        5	0	5	0.5	0.00121257326
        5	0	5	0.5	0.00121257326
        5	0	5	0.5	0.00121257326
        5	0	5	0.5	0.00121257326
        5	0	5	0.5	0.00121257326
        7	1	7	1e-08	10298.6664
        7	0	7	0.132845481	33950.1648
        7	0	7	0.261375031	60866.3421
        7	0	7	0.37761516	78362.0388
        7	0	7	0.5	0.00922640944
        7	0	7	0.5	0.00279879975
        7	0	7	0.5	0.0015611208
        7	0	7	0.5	0.00121257326
        """)];

    // Section 4 (OK): the printed rows (two decimals) of the checkpointed prediction engine: 8 x 5, 7, checkpoint,
    // then 7 x 7 from the reloaded model ("Time Series 2"), then 7 x 7 from the original ("Time Series 1").
    public static readonly TheoryData<VectorRow> Section4 = [.. VectorTable.WithInput("""
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        5       0       5.00    0.50    0.00
        7       1       7.00    0.00    10298.67
        7       0       7.00    0.13    33950.16
        7       0       7.00    0.26    60866.34
        7       0       7.00    0.38    78362.04
        7       0       7.00    0.50    0.01
        7       0       7.00    0.50    0.00
        7       0       7.00    0.50    0.00
        7       0       7.00    0.50    0.00
        7       0       7.00    0.13    33950.16
        7       0       7.00    0.26    60866.34
        7       0       7.00    0.38    78362.04
        7       0       7.00    0.50    0.01
        7       0       7.00    0.50    0.00
        7       0       7.00    0.50    0.00
        7       0       7.00    0.50    0.00
        """)];

    // 11a (asserted, tolerance 1e-7): DetectIidSpike(confidence 80, pvalueHistoryLength 2).
    public static readonly TheoryData<VectorRow> Section11a = [.. VectorTable.WithoutInput([5, 5, 5, 5, 5, 10, 5, 5, 5, 5], """
        0 5 0.5
        0 5 0.5
        0 5 0.5
        0 5 0.5
        0 5 0.5
        1 10 0.0
        0 5 0.261375
        0 5 0.261375
        0 5 0.50
        0 5 0.50
        """)];

    // 11b: DetectIidChangePoint(confidence 80, changeHistoryLength 10); inputs are float32(5 + i * 1.1); "Recomputed all 10 rows".
    public static readonly TheoryData<VectorRow> Section11b = [.. VectorTable.WithInput("""
        5	0	5	0.5	5.12e-08
        5	0	5	0.4999999995	5.120000005e-08
        5	0	5	0.4999999995	5.120000009e-08
        5	0	5	0.4999999995	5.120000014e-08
        5	0	5	0.4999999995	5.120000018e-08
        5.0	0	5	0.4999999995	5.120000023e-08
        6.099999904632568	0	6.099999905	1e-08	0.4348534969
        7.199999809265137	0	7.199999809	0.0003047800052	340.2735138
        8.300000190734863	0	8.300000191	0.00968235877	11844.53719
        9.399999618530273	1	9.399999619	0.02254862127	192656.2519
        """)];

    // 11b, the exact doubles asserted by TimeSeriesDirectApi.ChangeDetection for the first 4 rows.
    public static readonly TheoryData<VectorRow> Section11bDirectApi = [.. VectorTable.WithoutInput([5, 5, 5, 5], """
        0 5 0.5          5.1200000000000114E-08
        0 5 0.4999999995 5.1200000046080209E-08
        0 5 0.4999999995 5.1200000092160303E-08
        0 5 0.4999999995 5.12000001382404E-08
        """)];

    private static readonly Lazy<double[][]> Section1Run = new(() => RunRows(
        new IidSpikeDetector(new IidSpikeOptions(Confidence: 95, PvalueHistoryLength: 2)), Section1));

    private static readonly Lazy<double[][]> Section2Run = new(() => RunRows(
        new IidSpikeDetector(new IidSpikeOptions(Confidence: 95, PvalueHistoryLength: 10)), Section2Recomputed));

    private static readonly Lazy<double[][]> Section3Run = new(() => RunRows(
        new IidChangePointDetector(new IidChangePointOptions(Confidence: 95, ChangeHistoryLength: 4)), Section3));

    private static readonly Lazy<double[][]> Section4Run = new(RunSection4);

    private static readonly Lazy<double[][]> Section11aRun = new(() => RunRows(
        new IidSpikeDetector(new IidSpikeOptions(Confidence: 80, PvalueHistoryLength: 2)), Section11a));

    private static readonly Lazy<double[][]> Section11bRun = new(() => RunRows(
        new IidChangePointDetector(new IidChangePointOptions(Confidence: 80, ChangeHistoryLength: 10)), Section11b));

    [Theory]
    [MemberData(nameof(Section1))]
    public void Section1_IidSpikeBatch(VectorRow row) => DetectorAssert.Row(row, Section1Run.Value[row.Index]);

    [Theory]
    [MemberData(nameof(Section2Recomputed))]
    public void Section2_RecomputedBlock_HistoryNotFullYet_NoAlert(VectorRow row) => DetectorAssert.Row(row, Section2Run.Value[row.Index]);

    [Theory]
    [MemberData(nameof(Section3))]
    public void Section3_IidChangePointBatch(VectorRow row) => DetectorAssert.Row(row, Section3Run.Value[row.Index]);

    [Theory]
    [MemberData(nameof(Section3))]
    public void Section4_CheckpointedEngine_EqualsSection3(VectorRow row) =>
        DetectorAssert.Row(row, Section4Run.Value[Math.Min(row.Index, 15)]);

    [Theory]
    [MemberData(nameof(Section4))]
    public void Section4_CheckpointedEngine_PrintedRows(VectorRow row) =>
        DetectorAssert.Row(row, Section4Run.Value[row.Index], scoreRelative: 0, pValueAbsolute: 0, martingaleRelative: 0);

    [Theory]
    [MemberData(nameof(Section11a))]
    public void Section11a_SpikeDetection(VectorRow row) =>
        DetectorAssert.Row(row, Section11aRun.Value[row.Index], scoreRelative: 1e-7, pValueAbsolute: 1e-7, printedPrecision: false);

    [Theory]
    [MemberData(nameof(Section11b))]
    public void Section11b_ChangeDetection(VectorRow row) =>
        DetectorAssert.Row(row, Section11bRun.Value[row.Index], scoreRelative: 1e-7, pValueAbsolute: 1e-8, martingaleRelative: 1e-7);

    [Theory]
    [MemberData(nameof(Section11bDirectApi))]
    public void Section11b_DirectApiExactDoubles(VectorRow row) =>
        DetectorAssert.Row(row, Section11bRun.Value[row.Index], scoreRelative: 0, pValueAbsolute: 1e-15, martingaleRelative: 1e-12, printedPrecision: false);

    [Fact]
    public void Section3_AlertThreshold_Is4Point8273()
    {
        // beta(0.05)^4 with eps 0.1: the martingale of row 9 is above it, row 13's is far below.
        double threshold = Math.Pow(0.1 * Math.Pow(0.05, -0.9), 4);
        Assert.Equal(4.827341069, threshold, 1e-8);
        Assert.True(Section3Run.Value[8][3] >= threshold);
    }

    private static double[][] RunRows(IStreamingDetector detector, TheoryData<VectorRow> rows) =>
        DetectorRuns.Run(detector, rows.Select(r => r.Data.Input));

    private static double[][] RunSection4()
    {
        IStreamingDetector original = new IidChangePointDetector(new IidChangePointOptions(Confidence: 95, ChangeHistoryLength: 4));
        var rows = new List<double[]>(DetectorRuns.Run(original, [5, 5, 5, 5, 5, 5, 5, 5, 7]));
        IStreamingDetector reloaded = DetectorRuns.RoundTrip(original);
        rows.AddRange(DetectorRuns.Run(reloaded, Enumerable.Repeat(7.0, 7)));
        rows.AddRange(DetectorRuns.Run(original, Enumerable.Repeat(7.0, 7)));
        return [.. rows];
    }
}
