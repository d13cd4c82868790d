namespace Perf.Analytics.Detection;

/// <summary>Options of <see cref="SsaChangePointDetector"/> (ML.NET <c>DetectChangePointBySsa</c>).</summary>
/// <param name="Confidence">Alert when the martingale reaches beta(1 - Confidence / 100)^W; in (0, 100).</param>
/// <param name="ChangeHistoryLength">W: the p-value history and the martingale window; alerts start once W scores are held.</param>
/// <param name="TrainingWindowSize">N: the model is trained on the first N finite points; N &gt; 2L.</param>
/// <param name="SeasonalityWindowSize">L: the lag window (an upper bound on the period to model); 2 &lt;= L &lt;= 512 (training is O(L^3)).</param>
/// <param name="ErrorFunction">How the value and its forecast make the raw score.</param>
/// <param name="Martingale">Power or Mixture.</param>
/// <param name="PowerMartingaleEpsilon">eps of the power martingale, in (0, 1).</param>
/// <param name="ScoringOrder">Batch (default; ML.NET Transform) or PredictionEngine (reproduces ML.NET's prediction engine).</param>
public sealed record SsaChangePointOptions(
    double Confidence = 95,
    int ChangeHistoryLength = 20,
    int TrainingWindowSize = 100,
    int SeasonalityWindowSize = 10,
    ErrorFunction ErrorFunction = ErrorFunction.SignedDifference,
    MartingaleType Martingale = MartingaleType.Power,
    double PowerMartingaleEpsilon = 0.1,
    SsaScoringOrder ScoringOrder = SsaScoringOrder.Batch)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        DetectorOptionChecks.Confidence(Confidence, nameof(Confidence));
        DetectorOptionChecks.Window(ChangeHistoryLength, 1, nameof(ChangeHistoryLength));
        DetectorOptionChecks.Ssa(TrainingWindowSize, SeasonalityWindowSize, nameof(TrainingWindowSize), nameof(SeasonalityWindowSize));
        DetectorOptionChecks.Defined(ErrorFunction, nameof(ErrorFunction));
        DetectorOptionChecks.Martingale(Martingale, PowerMartingaleEpsilon, nameof(Martingale), nameof(PowerMartingaleEpsilon));
        DetectorOptionChecks.Defined(ScoringOrder, nameof(ScoringOrder));
    }
}

/// <summary>
/// SSA change-point detection (SPEC sections 0 and 3): the error of each point against the singular spectrum
/// analysis forecast, two-sided p-values and a windowed martingale; output [Alert, Score, P-Value, Martingale]. The
/// first N - 1 finite points output [0, NaN, NaN, NaN] while the training window fills; see <see cref="SsaDetectorCore"/>.
/// </summary>
public sealed class SsaChangePointDetector : SsaDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "ssa-changepoint";

    public SsaChangePointDetector()
        : this(new SsaChangePointOptions())
    {
    }

    public SsaChangePointDetector(SsaChangePointOptions options)
        : base(CoreFor(options), DetectorColumns.ChangePoint)
    {
        Options = options;
    }

    /// <summary>
    /// A detector trained on the first N finite points of <paramref name="trainingSeries"/> (the rest is ignored), with
    /// an empty score history and martingale: ML.NET's Fit. Feeding the same series again through
    /// <see cref="SsaDetector.Update"/> then yields ML.NET's batch transform row for row, training rows included.
    /// </summary>
    public SsaChangePointDetector(SsaChangePointOptions options, ReadOnlySpan<double> trainingSeries)
        : this(options)
    {
        Core.Pretrain(trainingSeries);
    }

    public SsaChangePointOptions Options { get; }

    public override string Name => TypeTag;

    private protected override void WriteOptions(BinaryWriter writer)
    {
        writer.Write(Options.Confidence);
        writer.Write(Options.ChangeHistoryLength);
        writer.Write(Options.TrainingWindowSize);
        writer.Write(Options.SeasonalityWindowSize);
        writer.Write((int)Options.ErrorFunction);
        writer.Write((int)Options.Martingale);
        writer.Write(Options.PowerMartingaleEpsilon);
        writer.Write((int)Options.ScoringOrder);
    }

    /// <summary>Reads what <see cref="SsaDetector.WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static SsaChangePointDetector ReadState(BinaryReader reader)
    {
        StateIO.ReadVersion(reader, FormatVersion, TypeTag);
        double confidence = reader.ReadDouble();
        int history = reader.ReadInt32();
        int training = reader.ReadInt32();
        int seasonality = reader.ReadInt32();
        var errorFunction = StateIO.ReadEnum<ErrorFunction>(reader);
        var martingale = StateIO.ReadEnum<MartingaleType>(reader);
        double epsilon = reader.ReadDouble();
        var order = StateIO.ReadEnum<SsaScoringOrder>(reader);
        var detector = StateIO.Construct(() => new SsaChangePointDetector(
            new SsaChangePointOptions(confidence, history, training, seasonality, errorFunction, martingale, epsilon, order)));
        detector.Core.Read(reader);
        return detector;
    }

    private static SsaDetectorCore CoreFor(SsaChangePointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new SsaDetectorCore(options.TrainingWindowSize, options.SeasonalityWindowSize, options.ErrorFunction, options.ScoringOrder,
            AnomalyScorer.ForChangePoint(options.Confidence, options.ChangeHistoryLength, options.Martingale, options.PowerMartingaleEpsilon));
    }
}
