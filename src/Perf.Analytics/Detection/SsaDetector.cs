namespace Perf.Analytics.Detection;

/// <summary>
/// What the SSA detectors share (SPEC sections 0 and 3): a <see cref="SsaDetectorCore"/> that trains on the first N
/// finite points and scores each point's forecast error; a spike and a change-point detector differ only in their
/// scorer and options. Their state is the type tag, a format version, the options (<see cref="WriteOptions"/>) and the core.
/// </summary>
public abstract class SsaDetector : IStreamingDetector
{
    private protected const byte FormatVersion = 1;

    private protected SsaDetector(SsaDetectorCore core, IReadOnlyList<string> columns)
    {
        Core = core;
        OutputColumns = columns;
    }

    public abstract string Name { get; }

    public IReadOnlyList<string> OutputColumns { get; }

    /// <summary>Whether the model has been trained (N finite points seen).</summary>
    public bool IsTrained => Core.IsTrained;

    /// <summary>The selected rank r (0 until trained).</summary>
    public int Rank => Core.Rank;

    /// <summary>The window L in use (can be below the requested one; 0 until trained).</summary>
    public int WindowSize => Core.WindowSize;

    /// <summary>The forecast of the next point (NaN until trained).</summary>
    public double Forecast => Core.Forecast;

    private protected SsaDetectorCore Core { get; }

    public void Update(double value, Span<double> output)
    {
        DetectorColumns.CheckOutput(output, OutputColumns.Count);
        Core.Update(value, output);
    }

    public void WriteState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Name);
        writer.Write(FormatVersion);
        WriteOptions(writer);
        Core.Write(writer);
    }

    /// <summary>The options, as the detector's <c>ReadState</c> reads them back before the core.</summary>
    private protected abstract void WriteOptions(BinaryWriter writer);
}
