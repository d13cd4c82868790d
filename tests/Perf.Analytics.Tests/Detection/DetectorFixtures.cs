using Perf.Analytics.Detection;

namespace Perf.Analytics.Tests.Detection;

/// <summary>Named detector configurations and test series shared by the state and property tests.</summary>
public static class DetectorFixtures
{
    public static readonly string[] Names =
    [
        "iid-spike",
        "iid-spike-positive",
        "iid-changepoint",
        "iid-changepoint-mixture",
        "ssa-spike",
        "ssa-spike-absolute-engine",
        "ssa-spike-proportion",
        "ssa-changepoint",
        "ssa-changepoint-mixture-squared",
    ];

    public static IStreamingDetector Create(string name) => name switch
    {
        "iid-spike" => new IidSpikeDetector(),
        "iid-spike-positive" => new IidSpikeDetector(new IidSpikeOptions(Confidence: 95, PvalueHistoryLength: 30, Side: AnomalySide.Positive)),
        "iid-changepoint" => new IidChangePointDetector(),
        "iid-changepoint-mixture" => new IidChangePointDetector(new IidChangePointOptions(Martingale: MartingaleType.Mixture)),
        "ssa-spike" => new SsaSpikeDetector(),
        "ssa-spike-absolute-engine" => new SsaSpikeDetector(new SsaSpikeOptions(
            Confidence: 98, PvalueHistoryLength: 40, TrainingWindowSize: 60, SeasonalityWindowSize: 12, Side: AnomalySide.Positive,
            ErrorFunction: ErrorFunction.AbsoluteDifference, ScoringOrder: SsaScoringOrder.PredictionEngine)),
        "ssa-spike-proportion" => new SsaSpikeDetector(new SsaSpikeOptions(
            TrainingWindowSize: 50, SeasonalityWindowSize: 7, ErrorFunction: ErrorFunction.SignedProportion)),
        "ssa-changepoint" => new SsaChangePointDetector(),
        "ssa-changepoint-mixture-squared" => new SsaChangePointDetector(new SsaChangePointOptions(
            ChangeHistoryLength: 15, TrainingWindowSize: 40, SeasonalityWindowSize: 8, ErrorFunction: ErrorFunction.SquaredDifference,
            Martingale: MartingaleType.Mixture)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Alerting window W of a configuration (history length / cool-down).</summary>
    public static int Window(IStreamingDetector detector) => detector switch
    {
        IidSpikeDetector d => d.Options.PvalueHistoryLength,
        IidChangePointDetector d => d.Options.ChangeHistoryLength,
        SsaSpikeDetector d => d.Options.PvalueHistoryLength,
        SsaChangePointDetector d => d.Options.ChangeHistoryLength,
        _ => throw new ArgumentOutOfRangeException(nameof(detector)),
    };

    /// <summary>Points a detector needs before it can alert (training window + history).</summary>
    public static int WarmUp(IStreamingDetector detector) => Window(detector) + detector switch
    {
        SsaSpikeDetector d => d.Options.TrainingWindowSize,
        SsaChangePointDetector d => d.Options.TrainingWindowSize,
        _ => 0,
    };

    public static bool IsChangePoint(IStreamingDetector detector) => detector.OutputColumns.Count == 4;

    /// <summary>Gaussian noise around a level with a daily-like seasonal term.</summary>
    public static double[] NoisySeries(int length, int seed, double level = 50, double noise = 1, double seasonal = 3, int period = 24)
    {
        var random = new Random(seed);
        var series = new double[length];
        for (int i = 0; i < length; i++)
        {
            series[i] = level + (seasonal * Math.Sin(2 * Math.PI * i / period)) + (noise * Gaussian(random));
        }

        return series;
    }

    /// <summary>A rich series for state round trips: noise, seasonality, spikes, a level shift and missing points.</summary>
    public static double[] MixedSeries(int length, int seed)
    {
        double[] series = NoisySeries(length, seed);
        var random = new Random(seed + 1);
        for (int i = 0; i < length; i++)
        {
            if (i > length / 2)
            {
                series[i] += 15;
            }

            if (random.NextDouble() < 0.01)
            {
                series[i] += 40 * (random.NextDouble() - 0.3);
            }

            if (random.NextDouble() < 0.02)
            {
                series[i] = double.NaN;
            }
        }

        return series;
    }

    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
