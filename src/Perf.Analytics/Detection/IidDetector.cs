namespace Perf.Analytics.Detection;

/// <summary>
/// What the IID detectors share (SPEC section 0): the raw score is the value itself (as float32), judged by an
/// <see cref="AnomalyScorer"/>; a spike and a change-point detector differ only in their scorer and options. Their
/// state is the type tag, a format version, the options (<see cref="WriteOptions"/>) and the scorer.
/// </summary>
public abstract class IidDetector : IStreamingDetector
{
    private protected const byte FormatVersion = 1;

    private protected IidDetector(AnomalyScorer scorer, IReadOnlyList<string> columns)
    {
        Scorer = scorer;
        OutputColumns = columns;
    }

    public abstract string Name { get; }

    public IReadOnlyList<string> OutputColumns { get; }

    private protected AnomalyScorer Scorer { get; }

    public void Update(double value, Span<double> output)
    {
        DetectorColumns.CheckOutput(output, OutputColumns.Count);
        if (!double.IsFinite(value))
        {
            AnomalyScorer.WriteMissing(output);
            return;
        }

        Scorer.Score(AnomalyScorer.ToRawScore(value), output);
    }

    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Name);
        writer.Write(FormatVersion);
        WriteOptions(writer);
        Scorer.Write(writer);
    }

    /// <summary>The options, as the detector's <c>ReadState</c> reads them back before the scorer.</summary>
    private protected abstract void WriteOptions(BinaryWriter writer);
}
