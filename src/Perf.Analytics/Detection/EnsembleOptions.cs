namespace Perf.Analytics.Detection;

/// <summary>
/// Options of <see cref="EnsembleDetector"/>. The defaults are the configuration measured on NAB (docs/DETECTION.md);
/// every property validates on assignment (<see cref="ArgumentOutOfRangeException"/> naming the property) and
/// <see cref="Validate"/> checks the constraints between properties.
/// </summary>
public sealed record EnsembleOptions
{
    /// <summary>Largest accepted <see cref="HistoryLength"/> (the pattern memory is allocated up front).</summary>
    public const int MaxHistoryLength = 1 << 16;

    private readonly double _sensitivity = 0.8;
    private readonly double? _threshold;
    private readonly int _minDataPoints = 100;
    private readonly int _patternLength = 3;
    private readonly int _historyLength = 1000;
    private readonly int _slowScale = 4;
    private readonly double _vigilance = 0.1;
    private readonly double _spatialTolerance = 0.05;
    private readonly int _averagingWindow = 10;
    private readonly int _learningPoints = 150;
    private readonly int _estimationPoints = 150;
    private readonly int _likelihoodHorizon = 1000;
    private readonly int _refractoryPoints = 150;

    /// <summary>
    /// The product document's <c>analysis.anomaly_detection.sensitivity</c>, in [0, 1] (default 0.8): sets the alert
    /// threshold when <see cref="Threshold"/> is not given, as 1 - 0.625 * Sensitivity (0.5 at 0.8, i.e. an averaged
    /// novelty with tail probability 1e-5, Numenta's "red" level; 0.375 at 1; 1 at 0, only new extremes).
    /// </summary>
    public double Sensitivity
    {
        get => _sensitivity;
        init => _sensitivity = value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Sensitivity), value, "Must be in [0, 1].");
    }

    /// <summary>
    /// Alert when Score &gt;= Threshold; in [0, 1]. Null (default): derived from <see cref="Sensitivity"/>, see
    /// <see cref="EffectiveThreshold"/>. The Score itself does not depend on either.
    /// </summary>
    public double? Threshold
    {
        get => _threshold;
        init => _threshold = value is null or (>= 0 and <= 1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "Must be in [0, 1] (or unset).");
    }

    /// <summary>The product document's <c>analysis.anomaly_detection.min_data_points</c> (default 100): Score is 0 and no alert is raised before this many finite points.</summary>
    public int MinDataPoints
    {
        get => _minDataPoints;
        init => _minDataPoints = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MinDataPoints), value, "Must be at least 0.");
    }

    /// <summary>m: points per compared pattern (default 3), in [1, 16].</summary>
    public int PatternLength
    {
        get => _patternLength;
        init => _patternLength = value is >= 1 and <= 16
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PatternLength), value, "Must be in [1, 16].");
    }

    /// <summary>H: how far back (in points) a pattern's nearest neighbour is searched (default 1000); the state keeps about H values in 16 bits each.</summary>
    public int HistoryLength
    {
        get => _historyLength;
        init => _historyLength = value is >= 8 and <= MaxHistoryLength
            ? value
            : throw new ArgumentOutOfRangeException(nameof(HistoryLength), value, $"Must be in [8, {MaxHistoryLength}].");
    }

    /// <summary>
    /// f: the second time scale (default 4): patterns of m means of f points, f points apart; 1 disables the second
    /// scale. In [1, 64].
    /// </summary>
    public int SlowScale
    {
        get => _slowScale;
        init => _slowScale = value is >= 1 and <= 64
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SlowScale), value, "Must be in [1, 64].");
    }

    /// <summary>rho: a pattern is fully novel when its nearest neighbour is rho * (range seen so far) away (RMS per point); default 0.1, in (0, 10].</summary>
    public double Vigilance
    {
        get => _vigilance;
        init => _vigilance = value is > 0 and <= 10
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Vigilance), value, "Must be in (0, 10].");
    }

    /// <summary>A value beyond the range seen so far by more than this fraction of the range is a new extreme (Score 1); default 0.05, in [0, 10].</summary>
    public double SpatialTolerance
    {
        get => _spatialTolerance;
        init => _spatialTolerance = value is >= 0 and <= 10
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SpatialTolerance), value, "Must be in [0, 10].");
    }

    /// <summary>Points in the moving average of novelty that the likelihood judges (default 10), in [1, 1000].</summary>
    public int AveragingWindow
    {
        get => _averagingWindow;
        init => _averagingWindow = value is >= 1 and <= 1000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(AveragingWindow), value, "Must be in [1, 1000].");
    }

    /// <summary>Leading points whose (unsettled) novelty is left out of the likelihood's distribution (default 150).</summary>
    public int LearningPoints
    {
        get => _learningPoints;
        init => _learningPoints = value is >= 0 and <= 1_000_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningPoints), value, "Must be in [0, 1000000].");
    }

    /// <summary>Averages the distribution is estimated from before the likelihood scores anything (default 150; so scoring starts at point 301).</summary>
    public int EstimationPoints
    {
        get => _estimationPoints;
        init => _estimationPoints = value is >= 1 and <= 1_000_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(EstimationPoints), value, "Must be in [1, 1000000].");
    }

    /// <summary>Memory of the likelihood's mean and variance: plain averages up to this many samples, then exponential with weight 1/horizon (default 1000).</summary>
    public int LikelihoodHorizon
    {
        get => _likelihoodHorizon;
        init => _likelihoodHorizon = value is >= 1 and <= 10_000_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LikelihoodHorizon), value, "Must be in [1, 10000000].");
    }

    /// <summary>
    /// A "red" tail probability (&lt;= 1e-5) within this many points of the previous red one is reported as "yellow"
    /// (1e-3), so one episode yields one high score (Numenta's filter, extended from 1 to R points); default 150.
    /// </summary>
    public int RefractoryPoints
    {
        get => _refractoryPoints;
        init => _refractoryPoints = value is >= 0 and <= 10_000_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RefractoryPoints), value, "Must be in [0, 10000000].");
    }

    /// <summary>The threshold alerts use: <see cref="Threshold"/> when set, else 1 - 0.625 * <see cref="Sensitivity"/>.</summary>
    public double EffectiveThreshold => Threshold ?? ThresholdForSensitivity(Sensitivity);

    /// <summary>1 - 0.625 * sensitivity: 0.5 at the default 0.8.</summary>
    public static double ThresholdForSensitivity(double sensitivity) => 1 - (0.625 * Math.Clamp(sensitivity, 0, 1));

    /// <summary>Points of raw history the pattern memory keeps: H + m * f + f (every compared pattern fits).</summary>
    internal int MemoryLength => HistoryLength + (PatternLength * SlowScale) + SlowScale;

    /// <summary>Checks the constraints between properties.</summary>
    /// <exception cref="ArgumentOutOfRangeException">HistoryLength is too short for the patterns.</exception>
    public void Validate()
    {
        int span = PatternLength * SlowScale;
        if (HistoryLength < 2 * span)
        {
            throw new ArgumentOutOfRangeException(
                nameof(HistoryLength), HistoryLength, $"Must be at least 2 * PatternLength * SlowScale = {2 * span}.");
        }
    }
}
