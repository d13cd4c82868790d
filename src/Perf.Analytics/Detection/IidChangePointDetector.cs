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
public sealed class IidChangePointDetector : IStreamingDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "iid-changepoint";

    private const byte FormatVersion = 1;

    private readonly AnomalyScorer _scorer;

    public IidChangePointDetector()
        : this(new IidChangePointOptions())
    {
    }

    public IidChangePointDetector(IidChangePointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _scorer = AnomalyScorer.ForChangePoint(
            options.Confidence, options.ChangeHistoryLength, options.Martingale, options.PowerMartingaleEpsilon);
    }

    public IidChangePointOptions Options { get; }

    public string Name => TypeTag;

    public IReadOnlyList<string> OutputColumns => DetectorColumns.ChangePoint;

    public void Update(double value, Span<double> output)
    {
        DetectorColumns.CheckOutput(output, 4);
        if (!double.IsFinite(value))
        {
            AnomalyScorer.WriteMissing(output);
            return;
        }

        _scorer.Score(AnomalyScorer.ToRawScore(value), output);
    }

    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TypeTag);
        writer.Write(FormatVersion);
        writer.Write(Options.Confidence);
        writer.Write(Options.ChangeHistoryLength);
        writer.Write((int)Options.Martingale);
        writer.Write(Options.PowerMartingaleEpsilon);
        _scorer.Write(writer);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static IidChangePointDetector ReadState(BinaryReader reader)
    {
        StateIO.ReadVersion(reader, FormatVersion, TypeTag);
        double confidence = reader.ReadDouble();
        int history = reader.ReadInt32();
        var martingale = StateIO.ReadEnum<MartingaleType>(reader);
        double epsilon = reader.ReadDouble();
        var detector = StateIO.Construct(
            () => new IidChangePointDetector(new IidChangePointOptions(confidence, history, martingale, epsilon)));
        detector._scorer.Read(reader);
        return detector;
    }
}
