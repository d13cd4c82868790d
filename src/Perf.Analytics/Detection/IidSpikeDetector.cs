namespace Perf.Analytics.Detection;

/// <summary>Options of <see cref="IidSpikeDetector"/> (ML.NET <c>DetectIidSpike</c>).</summary>
/// <param name="Confidence">Alert when the p-value is at most 1 - Confidence / 100; in (0, 100).</param>
/// <param name="PvalueHistoryLength">W: how many past scores the p-value is computed against; alerts start once W are held.</param>
/// <param name="Side">Which tail is anomalous.</param>
public sealed record IidSpikeOptions(double Confidence = 99, int PvalueHistoryLength = 100, AnomalySide Side = AnomalySide.TwoSided)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        DetectorOptionChecks.Confidence(Confidence, nameof(Confidence));
        DetectorOptionChecks.Window(PvalueHistoryLength, 1, nameof(PvalueHistoryLength));
        DetectorOptionChecks.Defined(Side, nameof(Side));
    }
}

/// <summary>
/// IID spike detection (SPEC sections 0-1): the raw score is the value itself (as float32); output
/// [Alert, Score, P-Value].
/// </summary>
public sealed class IidSpikeDetector : IStreamingDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "iid-spike";

    private const byte FormatVersion = 1;

    private readonly AnomalyScorer _scorer;

    public IidSpikeDetector()
        : this(new IidSpikeOptions())
    {
    }

    public IidSpikeDetector(IidSpikeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _scorer = AnomalyScorer.ForSpike(options.Confidence, options.PvalueHistoryLength, options.Side);
    }

    public IidSpikeOptions Options { get; }

    public string Name => TypeTag;

    public IReadOnlyList<string> OutputColumns => DetectorColumns.Spike;

    public void Update(double value, Span<double> output)
    {
        DetectorColumns.CheckOutput(output, 3);
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
        writer.Write(Options.PvalueHistoryLength);
        writer.Write((int)Options.Side);
        _scorer.Write(writer);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static IidSpikeDetector ReadState(BinaryReader reader)
    {
        StateIO.ReadVersion(reader, FormatVersion, TypeTag);
        double confidence = reader.ReadDouble();
        int history = reader.ReadInt32();
        var side = StateIO.ReadEnum<AnomalySide>(reader);
        var detector = StateIO.Construct(() => new IidSpikeDetector(new IidSpikeOptions(confidence, history, side)));
        detector._scorer.Read(reader);
        return detector;
    }
}
