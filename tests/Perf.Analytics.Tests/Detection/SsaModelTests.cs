using Perf.Analytics.Detection;
using Xunit;

namespace Perf.Analytics.Tests.Detection;

/// <summary>Training, forecasting and error functions of the SSA detectors.</summary>
public sealed class SsaModelTests
{
    [Fact]
    public void UntrainedDetector_OutputsMissingRows_UntilTheNthFinitePoint()
    {
        var detector = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 12, SeasonalityWindowSize: 3));
        double[] series = [.. DetectorFixtures.NoisySeries(30, seed: 2)];
        series[4] = double.NaN;
        double[][] rows = DetectorRuns.Run(detector, series);
        for (int i = 0; i < 12; i++)
        {
            Assert.True(double.IsNaN(rows[i][1]), $"row {i}");
            Assert.Equal(0, rows[i][0]);
        }

        Assert.False(double.IsNaN(rows[12][1])); // 12 finite points: rows 0-3 and 5-12
        Assert.True(detector.IsTrained);
        Assert.InRange(detector.Rank, 1, 1);
    }

    [Fact]
    public void ZeroSeries_ReducesTheWindow_AndScoresZero()
    {
        // C = 0: every eigenvector is a unit coordinate vector, so L shrinks down to 2.
        var detector = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 30, SeasonalityWindowSize: 8));
        double[][] rows = DetectorRuns.Run(detector, new double[60]);
        Assert.Equal(2, detector.WindowSize);
        Assert.All(rows[29..], row => Assert.Equal([0, 0, 0.5 - 0.5e-9], row)); // A&S erf(0) = 1e-9
    }

    [Fact]
    public void PureSinusoid_IsForecastAlmostExactly()
    {
        double[] series = [.. Enumerable.Range(0, 200).Select(i => 10 + (5 * Math.Sin(2 * Math.PI * i / 12)))];
        var detector = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 100, SeasonalityWindowSize: 24), series);
        double[][] rows = DetectorRuns.Run(detector, series);
        Assert.All(rows[100..], row => Assert.True(Math.Abs(row[1]) < 1e-6, $"score {row[1]}"));
        Assert.InRange(detector.Rank, 3, 12); // level + sinusoid span three dimensions of the lag space
    }

    public static TheoryData<ErrorFunction> ErrorFunctions() =>
        [ErrorFunction.SignedDifference, ErrorFunction.AbsoluteDifference, ErrorFunction.SignedProportion, ErrorFunction.AbsoluteProportion, ErrorFunction.SquaredDifference];

    [Theory]
    [MemberData(nameof(ErrorFunctions))]
    public void ErrorFunction_ScoresTheValueAgainstTheForecast(ErrorFunction function)
    {
        double[] series = DetectorFixtures.MixedSeries(300, seed: 4);
        var detector = new SsaChangePointDetector(new SsaChangePointOptions(TrainingWindowSize: 40, SeasonalityWindowSize: 10, ErrorFunction: function));
        foreach (double x in series)
        {
            bool trained = detector.IsTrained;
            double forecast = detector.Forecast;
            double[] row = DetectorRuns.Step(detector, x);
            if (!trained || double.IsNaN(x))
            {
                continue;
            }

            double d = x - forecast;
            double expected = function switch
            {
                ErrorFunction.SignedDifference => d,
                ErrorFunction.AbsoluteDifference => Math.Abs(d),
                ErrorFunction.SignedProportion => forecast == 0 ? 0 : d / forecast,
                ErrorFunction.AbsoluteProportion => forecast == 0 ? 0 : Math.Abs(d / forecast),
                _ => d * d,
            };
            Assert.Equal((float)expected, row[1]);
        }
    }

    [Fact]
    public void ProportionalErrors_AreZeroWhenTheForecastIsZero()
    {
        var detector = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 30, SeasonalityWindowSize: 8, ErrorFunction: ErrorFunction.SignedProportion));
        DetectorRuns.Run(detector, new double[30]);
        Assert.Equal(0, detector.Forecast);
        Assert.Equal(0, DetectorRuns.Step(detector, 5)[1]);
    }

    [Fact]
    public void EngineOrder_ScoresAgainstTheForecastAfterConsuming()
    {
        double[] series = DetectorFixtures.NoisySeries(200, seed: 8);
        var batch = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 50, SeasonalityWindowSize: 10), series);
        var engine = new SsaSpikeDetector(new SsaSpikeOptions(TrainingWindowSize: 50, SeasonalityWindowSize: 10, ScoringOrder: SsaScoringOrder.PredictionEngine), series);
        foreach (double x in series[..120])
        {
            DetectorRuns.Step(batch, x);
            double[] row = DetectorRuns.Step(engine, x);
            Assert.Equal(batch.Forecast, engine.Forecast); // the same state
            Assert.Equal((float)(x - batch.Forecast), row[1]);
        }
    }
}
