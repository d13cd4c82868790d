using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>WriteState / DetectorState.Read: a restored detector continues exactly like the original (bit for bit).</summary>
public sealed class DetectorStateTests
{
    public static readonly TheoryData<string, int> SplitPoints = BuildSplitPoints();

    [Theory]
    [MemberData(nameof(SplitPoints))]
    public void RestoredDetector_ContinuesExactlyLikeAnUninterruptedRun(string name, int split)
    {
        double[] series = DetectorFixtures.MixedSeries(700, seed: 11);
        double[][] uninterrupted = DetectorRuns.Run(DetectorFixtures.Create(name), series);

        IStreamingDetector first = DetectorFixtures.Create(name);
        double[][] before = DetectorRuns.Run(first, series[..split]);
        IStreamingDetector restored = DetectorRuns.RoundTrip(first);
        double[][] after = DetectorRuns.Run(restored, series[split..]);

        DetectorRuns.AssertIdentical(uninterrupted, [.. before, .. after], $"{name} split at {split}");
    }

    [Theory]
    [MemberData(nameof(DetectorNames))]
    public void RepeatedRoundTrips_AtEveryPoint_MatchUninterruptedRun(string name)
    {
        double[] series = DetectorFixtures.MixedSeries(260, seed: 3);
        double[][] uninterrupted = DetectorRuns.Run(DetectorFixtures.Create(name), series);

        IStreamingDetector detector = DetectorFixtures.Create(name);
        var rows = new List<double[]>();
        foreach (double value in series)
        {
            detector = DetectorRuns.RoundTrip(detector);
            rows.Add(DetectorRuns.Step(detector, value));
        }

        DetectorRuns.AssertIdentical(uninterrupted, [.. rows], name);
    }

    public static TheoryData<string> DetectorNames() => [.. DetectorFixtures.Names];

    public static TheoryData<string> CatalogNames() => [.. DetectorCatalog.Names];

    /// <summary>
    /// Degenerate input must leave a state that reads back: a series alternating 0 and the smallest subnormal once made
    /// the ensemble's likelihood estimates NaN, and its snapshot unreadable (a series that could not recover).
    /// </summary>
    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void Degenerate_series_leave_a_state_that_reads_back(string name)
    {
        foreach (Func<int, double> value in new Func<int, double>[]
                 {
                     i => i % 2 == 0 ? 0 : double.Epsilon, i => 5, i => i % 2 == 0 ? 1e300 : -1e300, i => i * 1e305,
                 })
        {
            IStreamingDetector detector = DetectorCatalog.CreateFactory(name, [])(); // as the engine makes them
            double[][] rows = DetectorRuns.Run(detector, [.. Enumerable.Range(0, 400).Select(value)]);

            IStreamingDetector restored = DetectorRuns.RoundTrip(detector);

            Assert.Equal(400, rows.Length);
            Assert.Equal(detector.Name, restored.Name);
        }
    }


    [Fact]
    public void State_StartsWithTheTypeTag()
    {
        foreach (string name in DetectorFixtures.Names)
        {
            IStreamingDetector detector = DetectorFixtures.Create(name);
            using var reader = new BinaryReader(new MemoryStream(DetectorState.ToBytes(detector)));
            Assert.Equal(detector.Name, reader.ReadString());
        }
    }

    [Fact]
    public void Names_AreTheDocumentedTags()
    {
        Assert.Equal("iid-spike", new IidSpikeDetector().Name);
        Assert.Equal("iid-changepoint", new IidChangePointDetector().Name);
        Assert.Equal("ssa-spike", new SsaSpikeDetector().Name);
        Assert.Equal("ssa-changepoint", new SsaChangePointDetector().Name);
        Assert.Equal(["Alert", "Score", "P-Value"], new IidSpikeDetector().OutputColumns);
        Assert.Equal(["Alert", "Score", "P-Value", "Martingale"], new SsaChangePointDetector().OutputColumns);
    }

    [Fact]
    public void Options_SurviveTheRoundTrip()
    {
        var options = new SsaChangePointOptions(90, 12, 64, 9, ErrorFunction.AbsoluteProportion, MartingaleType.Mixture, 0.3, SsaScoringOrder.PredictionEngine);
        var restored = (SsaChangePointDetector)DetectorRuns.RoundTrip(new SsaChangePointDetector(options));
        Assert.Equal(options, restored.Options);

        var spike = new IidSpikeOptions(97.5, 7, AnomalySide.Negative);
        Assert.Equal(spike, ((IidSpikeDetector)DetectorRuns.RoundTrip(new IidSpikeDetector(spike))).Options);
    }

    [Fact]
    public void SpectralResidual_RestoresThroughTheCommonDispatch()
    {
        var uninterrupted = new SrCnnDetector();
        var first = new SrCnnDetector();
        var random = new Random(7);
        var series = Enumerable.Range(0, 200).Select(i => Math.Sin(i / 5.0) + random.NextDouble() * 0.1 + (i == 150 ? 5 : 0)).ToArray();
        var expected = new double[3];
        var actual = new double[3];
        foreach (var x in series[..100]) { uninterrupted.Update(x, expected); first.Update(x, actual); }

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) first.WriteState(writer);
        var restored = DetectorState.FromBytes(stream.ToArray());

        Assert.IsType<SrCnnDetector>(restored);
        foreach (var x in series[100..])
        {
            uninterrupted.Update(x, expected);
            restored.Update(x, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void UnknownTag_IsInvalidData()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("no-such-detector");
        }

        Assert.Throws<InvalidDataException>(() => DetectorState.FromBytes(stream.ToArray()));
    }

    [Theory]
    [MemberData(nameof(DetectorNames))]
    public void TruncatedOrCorruptState_Throws(string name)
    {
        IStreamingDetector detector = DetectorFixtures.Create(name);
        DetectorRuns.Run(detector, DetectorFixtures.NoisySeries(150, seed: 1));
        byte[] bytes = DetectorState.ToBytes(detector);

        for (int length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 50))
        {
            byte[] truncated = bytes[..length];
            Assert.Throws<EndOfStreamException>(() => DetectorState.FromBytes(truncated));
        }

        byte[] badVersion = (byte[])bytes.Clone();
        badVersion[detector.Name.Length + 1]++; // the version byte after the length-prefixed tag
        Assert.Throws<InvalidDataException>(() => DetectorState.FromBytes(badVersion));

        byte[] badConfidence = (byte[])bytes.Clone();
        BitConverter.GetBytes(150.0).CopyTo(badConfidence, detector.Name.Length + 2);
        Assert.Throws<InvalidDataException>(() => DetectorState.FromBytes(badConfidence));
    }

    private static TheoryData<string, int> BuildSplitPoints()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in DetectorFixtures.Names)
        {
            foreach (int split in new[] { 0, 1, 20, 39, 45, 59, 60, 99, 100, 101, 130, 351, 699, 700 })
            {
                data.Add(name, split);
            }
        }

        return data;
    }
}
