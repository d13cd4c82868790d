using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>The ensemble detector: score range, exact state round trips, alert properties, options.</summary>
public sealed class EnsembleDetectorTests
{
    /// <summary>A small configuration that reaches every code path (compaction, likelihood, refractory filter) in a few hundred points.</summary>
    private static readonly EnsembleOptions Small = new()
    {
        MinDataPoints = 5,
        PatternLength = 2,
        HistoryLength = 24,
        SlowScale = 3,
        AveragingWindow = 4,
        LearningPoints = 10,
        EstimationPoints = 10,
        LikelihoodHorizon = 50,
        RefractoryPoints = 7,
    };

    public static TheoryData<int> SplitPoints() => [1, 2, 5, 50, 99, 100, 150, 151, 299, 300, 301, 1015, 1016, 1017, 2031, 2032, 2033, 2600];

    [Fact]
    public void Name_Columns_AndTag()
    {
        var detector = new EnsembleDetector();
        Assert.Equal("ensemble", detector.Name);
        Assert.Equal(["Alert", "Score", "Novelty", "TailProbability", "Spatial"], detector.OutputColumns);
        using var reader = new BinaryReader(new MemoryStream(DetectorState.ToBytes(detector)));
        Assert.Equal("ensemble", reader.ReadString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Scores_AreWithinZeroAndOne(int seed)
    {
        var random = new Random(seed);
        double[][] series =
        [
            DetectorFixtures.MixedSeries(3000, seed),
            [.. Enumerable.Range(0, 2000).Select(i => 1e9 + (random.NextDouble() * 3) + (i == 1500 ? 400 : 0))],
            [.. Enumerable.Range(0, 2000).Select(_ => random.NextDouble() < 0.9 ? 0.0 : random.NextDouble() * 1e6)],
            [.. Enumerable.Range(0, 2000).Select(i => i % 2 == 0 ? -1e-9 : 1e-9)],
            [.. Enumerable.Range(0, 2000).Select(i => (double)i * i)],
            [.. Enumerable.Range(0, 2000).Select(i => i % 500 == 499 ? 1e300 : random.NextDouble())],
        ];

        foreach (double[] values in series)
        {
            foreach (IStreamingDetector detector in new IStreamingDetector[] { new EnsembleDetector(), new EnsembleDetector(Small) })
            {
                double[][] rows = DetectorRuns.Run(detector, values);
                for (int i = 0; i < rows.Length; i++)
                {
                    double[] row = rows[i];
                    if (!double.IsFinite(values[i]))
                    {
                        continue;
                    }

                    Assert.True(row[0] is 0 or 1, $"row {i}: alert {row[0]}");
                    Assert.InRange(row[1], 0.0, 1.0);
                    Assert.InRange(row[2], 0.0, 1.0);
                    Assert.True(row[3] > 0 && row[3] <= 1, $"row {i}: tail probability {row[3]}");
                    Assert.True(row[4] is 0 or 1, $"row {i}: spatial {row[4]}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SplitPoints))]
    public void SaveAndRestore_ContinuesBitForBit(int split)
    {
        double[] series = DetectorFixtures.MixedSeries(3000, seed: 21);
        double[][] uninterrupted = DetectorRuns.Run(new EnsembleDetector(), series);

        var first = new EnsembleDetector();
        double[][] before = DetectorRuns.Run(first, series[..split]);
        IStreamingDetector restored = DetectorRuns.RoundTrip(first);
        double[][] after = DetectorRuns.Run(restored, series[split..]);

        DetectorRuns.AssertIdentical(uninterrupted, [.. before, .. after], $"ensemble split at {split}");
    }

    [Fact]
    public void RoundTripAtEveryPoint_MatchesUninterruptedRun()
    {
        double[] series = DetectorFixtures.MixedSeries(600, seed: 5);
        double[][] uninterrupted = DetectorRuns.Run(new EnsembleDetector(Small), series);

        IStreamingDetector detector = new EnsembleDetector(Small);
        var rows = new List<double[]>();
        foreach (double value in series)
        {
            detector = DetectorRuns.RoundTrip(detector);
            rows.Add(DetectorRuns.Step(detector, value));
        }

        DetectorRuns.AssertIdentical(uninterrupted, [.. rows], "ensemble (small) round trip at every point");
    }

    [Fact]
    public void Options_SurviveTheRoundTrip()
    {
        var options = Small with { Sensitivity = 0.3, Threshold = 0.42, Vigilance = 0.07, SpatialTolerance = 0.2 };
        var restored = (EnsembleDetector)DetectorRuns.RoundTrip(new EnsembleDetector(options));
        Assert.Equal(options, restored.Options);

        var defaults = (EnsembleDetector)DetectorRuns.RoundTrip(new EnsembleDetector());
        Assert.Equal(new EnsembleOptions(), defaults.Options);
        Assert.Null(defaults.Options.Threshold);
    }

    [Fact]
    public void State_IsAboutTwoBytesPerRememberedPoint()
    {
        var detector = new EnsembleDetector();
        DetectorRuns.Run(detector, DetectorFixtures.NoisySeries(5000, seed: 1));
        int bytes = DetectorState.ToBytes(detector).Length;
        Assert.InRange(bytes, 2 * 1000, (2 * new EnsembleOptions().MemoryLength) + 340);
    }

    /// <summary>
    /// A state in format 1 (float32 values, written before the 16-bit store) restores onto a grid over the range it had
    /// seen and continues like a detector that was 16-bit all along, within the grid's resolution: novelty within 12
    /// steps of the range (2.3e-3), scores within 0.01, the same alerts; written again, it is format 2 and round-trips.
    /// </summary>
    [Fact]
    public void Format1State_RestoresAndContinuesWithinTheGridsResolution()
    {
        // Written by the float32 code (format 1) after 200 points of Format1Value with these options.
        const string state = "CGVuc2VtYmxlAZqZmZmZmek/AAAAAAAAAAAAFAAAAAMAAABAAAAABAAAAJqZmZmZmbk/mpmZmZmZqT8KAAAAFAAAABQAAADoAwAACgAAAMgAAAAAAAAAM2pGsRl+w0BFfRMbU63DQI7xF9PGiMNAUAAAAGySez9NWs1APfwHQfhjTkEQsIJBwbyUQTRBnEFM3phBJvOKQTotZ0GVCClBKfm/QFVdij/9lHXAP3E2weSVdMF7p5HBopKfwYr1osEXcZvBZWSJwaPMW8HoZBXBoyuIwHTxlj9cpNNARCELQSAxkkKUQoRBRU+WQbjTnUHQcJpBqoWMQUFSakGcLSxBOEPGQJOFoz9vgNTAOEwzwd1wccH3FJDBHgCewQZjocGT3pnB4dGHwZunWMHgPxLBk+GBwLIZsD/Y3HNATEYOQQeuVEEY1YVByeGXQTxmn0FUA5xBLhiOQUl3bUGkUi9BSI3MQC9Sw79fNs7AMCcwwdVLbsF0go7Bmm2cwYLQn8EPTJjBXj+GwZOCVcHYGg/BBy93wBC+tr97OIBAVGsRQQ/TV0GbZ4dBTXSZQcD4oEHYlZ1BCgAAAGF0k8U/YqM/CEA9Rz9ioz9oc57mN9vEP9RxktwHC8Y/1HGS3AcLxj+8NW2APWKjP6zpI20/YqM/X37S6Dxioz9yxWARQGKjP3cI58g+YqM/tAAAAAAAAABDcUOIFJzRP6qf7C8QxLk/MwAAAAAAAAA=";
        var options = new EnsembleOptions { HistoryLength = 64, MinDataPoints = 20, LearningPoints = 20, EstimationPoints = 20, RefractoryPoints = 10 };
        byte[] bytes = Convert.FromBase64String(state);
        var restored = Assert.IsType<EnsembleDetector>(DetectorState.FromBytes(bytes));
        Assert.Equal(options, restored.Options);
        Assert.Equal(200, restored.Count);
        IStreamingDetector again = DetectorRuns.RoundTrip(restored);

        var uninterrupted = new EnsembleDetector(options);
        DetectorRuns.Run(uninterrupted, Enumerable.Range(0, 200).Select(Format1Value));
        double[] rest = [.. Enumerable.Range(200, 400).Select(Format1Value)];
        double[][] expected = DetectorRuns.Run(uninterrupted, rest);
        double[][] actual = DetectorRuns.Run(restored, rest);
        DetectorRuns.AssertIdentical(actual, DetectorRuns.Run(again, rest), "format 2 round trip of a restored format 1 state");
        double worstNovelty = 0;
        double worstScore = 0;
        for (int i = 0; i < rest.Length; i++)
        {
            Assert.Equal(expected[i][0], actual[i][0]);
            Assert.Equal(expected[i][4], actual[i][4]);
            worstNovelty = Math.Max(worstNovelty, Math.Abs(expected[i][2] - actual[i][2]));
            worstScore = Math.Max(worstScore, Math.Abs(expected[i][1] - actual[i][1]));
        }

        Assert.True(worstNovelty <= 2.3e-3, $"novelty off by {worstNovelty}");
        Assert.True(worstScore <= 0.01, $"score off by {worstScore}");
    }

    /// <summary>The series the format 1 state was written after: a daily-like wave with noise, spikes, a shift at 250.</summary>
    private static double Format1Value(int i)
    {
        var random = new Random((i * 7919) + 13);
        double wave = 1e4 + (20 * Math.Sin(2 * Math.PI * i / 24)) + (random.NextDouble() * 3);
        return wave + (i % 97 == 50 ? 60 : 0) + (i >= 250 ? 15 : 0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-3.5)]
    [InlineData(42.125)]
    [InlineData(1e6)]
    [InlineData(7.77e9)]
    [InlineData(-1e300)]
    public void ConstantInput_NeverAlerts(double constant)
    {
        foreach (var options in new[] { new EnsembleOptions(), Small, new EnsembleOptions { Sensitivity = 1 } })
        {
            double[][] rows = DetectorRuns.Run(new EnsembleDetector(options), Enumerable.Repeat(constant, 2500));
            Assert.All(rows, row => Assert.Equal(0, row[0]));
            Assert.All(rows, row => Assert.True(row[1] < options.EffectiveThreshold, $"score {row[1]}"));
        }
    }

    [Fact]
    public void SpikeOnNoise_AlertsAtTheSpike_AndNotAgainWithinTheRefractoryPeriod()
    {
        int refractory = new EnsembleOptions().RefractoryPoints;
        for (int seed = 1; seed <= 20; seed++)
        {
            foreach (int spikeAt in new[] { 180, 700 })
            {
                double[] series = DetectorFixtures.NoisySeries(spikeAt + refractory + 1, seed);
                series[spikeAt] += 40;

                double[][] rows = DetectorRuns.Run(new EnsembleDetector(), series);

                Assert.True(rows[spikeAt][0] == 1, $"seed {seed}: no alert at the spike at {spikeAt} (score {rows[spikeAt][1]})");
                Assert.Equal(1, rows[spikeAt][1]);
                Assert.Equal(1, rows[spikeAt][4]);
                int[] echoes = [.. Enumerable.Range(spikeAt + 1, refractory).Where(i => rows[i][0] == 1)];
                Assert.True(echoes.Length == 0, $"seed {seed}: alerts after the spike at {spikeAt}: {string.Join(", ", echoes)}");
            }
        }
    }

    [Fact]
    public void LevelShift_AlertsWithinTheAveragingWindow()
    {
        for (int seed = 1; seed <= 10; seed++)
        {
            double[] series = DetectorFixtures.NoisySeries(1200, seed);
            for (int i = 800; i < series.Length; i++)
            {
                series[i] += 15;
            }

            double[][] rows = DetectorRuns.Run(new EnsembleDetector(), series);
            int window = new EnsembleOptions().AveragingWindow;
            Assert.Contains(Enumerable.Range(800, window), i => rows[i][0] == 1);
        }
    }

    [Fact]
    public void PatternChange_WithinTheRange_RaisesTheScore()
    {
        // A daily-like sine that goes flat in its middle for a while: no value leaves the range, the pattern is new.
        var random = new Random(4);
        double[] series = [.. Enumerable.Range(0, 3000).Select(i =>
            (i is >= 2000 and < 2100 ? 0 : 10 * Math.Sin(2 * Math.PI * i / 96)) + (0.2 * DetectorFixtures.Gaussian(random)))];

        double[][] rows = DetectorRuns.Run(new EnsembleDetector(), series);

        Assert.True(rows.Skip(2000).Take(100).Any(row => row[0] == 1), "no alert while the pattern is flat");
        Assert.All(rows.Skip(1000).Take(950), row => Assert.Equal(0, row[0]));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void MissingPoint_LeavesStateUntouched(double missing)
    {
        foreach (int length in new[] { 0, 1, 50, 400, 2100 })
        {
            var detector = new EnsembleDetector();
            DetectorRuns.Run(detector, DetectorFixtures.NoisySeries(length, seed: 9));
            byte[] before = DetectorState.ToBytes(detector);

            double[] row = DetectorRuns.Step(detector, missing);

            Assert.Equal(0, row[0]);
            Assert.All(row.Skip(1), value => Assert.True(double.IsNaN(value)));
            Assert.Equal(before, DetectorState.ToBytes(detector));
            Assert.Equal(length, detector.Count);
        }
    }

    [Fact]
    public void NothingIsScored_BeforeMinDataPoints()
    {
        double[] series = DetectorFixtures.NoisySeries(400, seed: 2);
        series[60] += 100;
        series[250] += 200;
        double[][] rows = DetectorRuns.Run(new EnsembleDetector(new EnsembleOptions { MinDataPoints = 200 }), series);

        Assert.All(rows.Take(199), row => Assert.Equal(0, row[1]));
        Assert.All(rows.Take(199), row => Assert.Equal(0, row[0]));
        Assert.Equal(1, rows[250][0]);
    }

    [Theory]
    [InlineData(0.8, 0.5)]
    [InlineData(1.0, 0.375)]
    [InlineData(0.0, 1.0)]
    [InlineData(0.4, 0.75)]
    public void Sensitivity_SetsTheThreshold(double sensitivity, double threshold)
    {
        var options = new EnsembleOptions { Sensitivity = sensitivity };
        Assert.Equal(threshold, options.EffectiveThreshold, 12);
        Assert.Equal(0.3, (options with { Threshold = 0.3 }).EffectiveThreshold);
    }

    [Fact]
    public void Alert_IsScoreAtOrAboveTheThreshold()
    {
        double[] series = DetectorFixtures.MixedSeries(2500, seed: 8);
        foreach (double threshold in new[] { 0.2, 0.5, 0.9 })
        {
            var options = new EnsembleOptions { Threshold = threshold };
            double[][] rows = DetectorRuns.Run(new EnsembleDetector(options), series);
            Assert.All(rows.Where(r => !double.IsNaN(r[1])), row => Assert.Equal(row[1] >= threshold ? 1 : 0, row[0]));
        }
    }

    [Fact]
    public void HigherSensitivity_NeverAlertsLess()
    {
        double[] series = DetectorFixtures.MixedSeries(2500, seed: 12);
        int Alerts(double sensitivity) =>
            DetectorRuns.Run(new EnsembleDetector(new EnsembleOptions { Sensitivity = sensitivity }), series).Count(r => r[0] == 1);

        Assert.True(Alerts(0.2) <= Alerts(0.8));
        Assert.True(Alerts(0.8) <= Alerts(1.0));
    }

    [Fact]
    public void InvalidOptions_NameTheOption()
    {
        Assert.Equal("Sensitivity", Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleOptions { Sensitivity = 1.5 }).ParamName);
        Assert.Equal("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleOptions { Threshold = -0.1 }).ParamName);
        Assert.Equal("MinDataPoints", Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleOptions { MinDataPoints = -1 }).ParamName);
        Assert.Equal("Vigilance", Assert.Throws<ArgumentOutOfRangeException>(() => new EnsembleOptions { Vigilance = 0 }).ParamName);
        Assert.Equal("HistoryLength", Assert.Throws<ArgumentOutOfRangeException>(
            () => new EnsembleDetector(new EnsembleOptions { HistoryLength = 20, PatternLength = 4, SlowScale = 4 })).ParamName);
    }

    [Fact]
    public void CorruptState_FailsLoudly()
    {
        var detector = new EnsembleDetector();
        DetectorRuns.Run(detector, DetectorFixtures.NoisySeries(500, seed: 3));
        byte[] bytes = DetectorState.ToBytes(detector);

        Assert.ThrowsAny<Exception>(() => DetectorState.FromBytes(bytes.AsSpan(0, bytes.Length / 2)));
        byte[] badVersion = (byte[])bytes.Clone();
        badVersion["ensemble".Length + 1] = 99;
        Assert.Throws<InvalidDataException>(() => DetectorState.FromBytes(badVersion));
    }

    [Fact]
    public void UpperTail_IsAccurateDeepInTheTail()
    {
        Assert.Equal(0.5, EnsembleLikelihood.UpperTail(0), 7);
        Assert.Equal(0.15865525393145707, EnsembleLikelihood.UpperTail(1), 7);
        Assert.Equal(0.8413447460685429, EnsembleLikelihood.UpperTail(-1), 7);
        AssertRelative(1.3498980316300946e-3, EnsembleLikelihood.UpperTail(3));
        AssertRelative(9.8658764503769e-10, EnsembleLikelihood.UpperTail(6));
        AssertRelative(7.619853024160527e-24, EnsembleLikelihood.UpperTail(10));

        static void AssertRelative(double expected, double actual) =>
            Assert.True(Math.Abs(actual - expected) <= 1e-6 * expected, $"{actual:R} != {expected:R}");
    }
}
