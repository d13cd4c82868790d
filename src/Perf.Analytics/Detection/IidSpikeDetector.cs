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
public sealed class IidSpikeDetector : IidDetector
{
    /// <summary>Name and state tag.</summary>
    public const string TypeTag = "iid-spike";

    public IidSpikeDetector()
        : this(new IidSpikeOptions())
    {
    }

    public IidSpikeDetector(IidSpikeOptions options)
        : base(ScorerFor(options), DetectorColumns.Spike)
    {
        Options = options;
    }

    public IidSpikeOptions Options { get; }

    public override string Name => TypeTag;

    private protected override void WriteOptions(BinaryWriter writer)
    {
        writer.Write(Options.Confidence);
        writer.Write(Options.PvalueHistoryLength);
        writer.Write((int)Options.Side);
    }

    /// <summary>Reads what <see cref="IidDetector.WriteState"/> wrote after the tag (see <see cref="DetectorState.Read"/>).</summary>
    internal static IidSpikeDetector ReadState(BinaryReader reader)
    {
        StateIO.ReadVersion(reader, FormatVersion, TypeTag);
        double confidence = reader.ReadDouble();
        int history = reader.ReadInt32();
        var side = StateIO.ReadEnum<AnomalySide>(reader);
        var detector = StateIO.Construct(() => new IidSpikeDetector(new IidSpikeOptions(confidence, history, side)));
        detector.Scorer.Read(reader);
        return detector;
    }

    private static AnomalyScorer ScorerFor(IidSpikeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return AnomalyScorer.ForSpike(options.Confidence, options.PvalueHistoryLength, options.Side);
    }
}
