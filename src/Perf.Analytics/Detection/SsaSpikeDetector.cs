namespace Perf.Analytics.Detection;

/// <summary>Options of <see cref="SsaSpikeDetector"/> (ML.NET <c>DetectSpikeBySsa</c>).</summary>
/// <param name="Confidence">Alert when the p-value is at most 1 - Confidence / 100; in (0, 100).</param>
/// <param name="PvalueHistoryLength">W: how many past scores the p-value is computed against; alerts start once W are held.</param>
/// <param name="TrainingWindowSize">N: the model is trained on the first N finite points; N &gt; 2L.</param>
/// <param name="SeasonalityWindowSize">L: the lag window (an upper bound on the period to model); 2 &lt;= L &lt;= 512 (training is O(L^3)).</param>
/// <param name="Side">Which tail of the error is anomalous.</param>
/// <param name="ErrorFunction">How the value and its forecast make the raw score.</param>
/// <param name="ScoringOrder">Batch (default; ML.NET Transform) or PredictionEngine (reproduces ML.NET's prediction engine).</param>
public sealed record SsaSpikeOptions(
    double Confidence = 99,
    int PvalueHistoryLength = 100,
    int TrainingWindowSize = 100,
    int SeasonalityWindowSize = 10,
    AnomalySide Side = AnomalySide.TwoSided,
    ErrorFunction ErrorFunction = ErrorFunction.SignedDifference,
    SsaScoringOrder ScoringOrder = SsaScoringOrder.Batch)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        DetectorOptionChecks.Confidence(Confidence, nameof(Confidence));
        DetectorOptionChecks.Window(PvalueHistoryLength, 1, nameof(PvalueHistoryLength));
        DetectorOptionChecks.Ssa(TrainingWindowSize, SeasonalityWindowSize, nameof(TrainingWindowSize), nameof(SeasonalityWindowSize));
        DetectorOptionChecks.Defined(Side, nameof(Side));
        DetectorOptionChecks.Defined(ErrorFunction, nameof(ErrorFunction));
        DetectorOptionChecks.Defined(ScoringOrder, nameof(ScoringOrder));
    }
}

/// <summary>
/// SSA spike detection (SPEC sections 0 and 3): the raw score is the error of each point against the singular
/// spectrum analysis forecast; output [Alert, Score, P-Value]. The first N - 1 finite points output [0, NaN, NaN]
/// while the training window fills; see <see cref="SsaDetectorCore"/>.
/// </summary>
public sealed class SsaSpikeDetector : SsaDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "ssa-spike";

    public SsaSpikeDetector()
        : this(new SsaSpikeOptions())
    {
    }

    public SsaSpikeDetector(SsaSpikeOptions options)
        : base(CoreFor(options), DetectorColumns.Spike)
    {
        Options = options;
    }

    /// <summary>
    /// A detector trained on the first N finite points of <paramref name="trainingSeries"/> (the rest is ignored), with
    /// an empty score history: ML.NET's Fit. Feeding the same series again through <see cref="SsaDetector.Update"/> then
    /// yields ML.NET's batch transform row for row, training rows included.
    /// </summary>
    public SsaSpikeDetector(SsaSpikeOptions options, ReadOnlySpan<double> trainingSeries)
        : this(options)
    {
        Core.Pretrain(trainingSeries);
    }

    public SsaSpikeOptions Options { get; }

    public override string Name => TypeTag;

    private protected override void WriteOptions(BinaryWriter writer)
    {
        writer.Write(Options.Confidence);
        writer.Write(Options.PvalueHistoryLength);
        writer.Write(Options.TrainingWindowSize);
        writer.Write(Options.SeasonalityWindowSize);
        writer.Write((int)Options.Side);
        writer.Write((int)Options.ErrorFunction);
        writer.Write((int)Options.ScoringOrder);
    }

    /// <summary>Reads what <see cref="SsaDetector.WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static SsaSpikeDetector ReadState(BinaryReader reader)
    {
        StateIO.ReadVersion(reader, FormatVersion, TypeTag);
        double confidence = reader.ReadDouble();
        int history = reader.ReadInt32();
        int training = reader.ReadInt32();
        int seasonality = reader.ReadInt32();
        var side = StateIO.ReadEnum<AnomalySide>(reader);
        var errorFunction = StateIO.ReadEnum<ErrorFunction>(reader);
        var order = StateIO.ReadEnum<SsaScoringOrder>(reader);
        var detector = StateIO.Construct(() => new SsaSpikeDetector(
            new SsaSpikeOptions(confidence, history, training, seasonality, side, errorFunction, order)));
        detector.Core.Read(reader);
        return detector;
    }

    private static SsaDetectorCore CoreFor(SsaSpikeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new SsaDetectorCore(options.TrainingWindowSize, options.SeasonalityWindowSize, options.ErrorFunction, options.ScoringOrder,
            AnomalyScorer.ForSpike(options.Confidence, options.PvalueHistoryLength, options.Side));
    }
}
