namespace Perf.Analytics.Detection;

/// <summary>Options of <see cref="IidChangePointDetector"/> (ML.NET <c>DetectIidChangePoint</c>).</summary>
/// <param name="Confidence">Alert when the martingale reaches beta(1 - Confidence / 100)^W; in (0, 100).</param>
/// <param name="ChangeHistoryLength">W: the p-value history and the martingale window; alerts start once W scores are held.</param>
/// <param name="Martingale">Power or Mixture.</param>
/// <param name="PowerMartingaleEpsilon">eps of the power martingale, in (0, 1).</param>
public sealed record IidChangePointOptions(
    double Confidence = 95,
    int ChangeHistoryLength = 20,
    MartingaleType Martingale = MartingaleType.Power,
    double PowerMartingaleEpsilon = 0.1)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        DetectorOptionChecks.Confidence(Confidence, nameof(Confidence));
        DetectorOptionChecks.Window(ChangeHistoryLength, 1, nameof(ChangeHistoryLength));
        DetectorOptionChecks.Martingale(Martingale, PowerMartingaleEpsilon, nameof(Martingale), nameof(PowerMartingaleEpsilon));
    }
}

/// <summary>
/// IID change-point detection (SPEC sections 0 and 2): the raw score is the value itself (as float32), two-sided
/// p-values feed a windowed martingale; output [Alert, Score, P-Value, Martingale].
/// </summary>
public sealed class IidChangePointDetector : IidDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "iid-changepoint";

    public IidChangePointDetector()
        : this(new IidChangePointOptions())
    {
    }

    public IidChangePointDetector(IidChangePointOptions options)
        : base(ScorerFor(options), DetectorColumns.ChangePoint)
    {
        Options = options;
    }

    public IidChangePointOptions Options { get; }

    public override string Name => TypeTag;

    private protected override void WriteOptions(BinaryWriter writer)
    {
        writer.Write(Options.Confidence);
        writer.Write(Options.ChangeHistoryLength);
        writer.Write((int)Options.Martingale);
        writer.Write(Options.PowerMartingaleEpsilon);
    }

    /// <summary>Reads what <see cref="IidDetector.WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static IidChangePointDetector ReadState(BinaryReader reader)
    {
        StateIO.ReadVersion(reader, FormatVersion, TypeTag);
        double confidence = reader.ReadDouble();
        int history = reader.ReadInt32();
        var martingale = StateIO.ReadEnum<MartingaleType>(reader);
        double epsilon = reader.ReadDouble();
        var detector = StateIO.Construct(
            () => new IidChangePointDetector(new IidChangePointOptions(confidence, history, martingale, epsilon)));
        detector.Scorer.Read(reader);
        return detector;
    }

    private static AnomalyScorer ScorerFor(IidChangePointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return AnomalyScorer.ForChangePoint(options.Confidence, options.ChangeHistoryLength, options.Martingale, options.PowerMartingaleEpsilon);
    }
}
