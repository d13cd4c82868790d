namespace Perf.Analytics.Detection;

/// <summary>
/// A per-series streaming detector: one output row per input point, O(window) work per point, and a state that can be
/// written to bytes and read back (<see cref="DetectorState.Read"/>) to continue exactly where it stopped.
/// </summary>
public interface IStreamingDetector
{
    /// <summary>The detector type, also the type tag of its state: "iid-spike", "iid-changepoint", "ssa-spike", ...</summary>
    string Name { get; }

    /// <summary>Names of the output row's entries, e.g. ["Alert", "Score", "P-Value"].</summary>
    IReadOnlyList<string> OutputColumns { get; }

    /// <summary>
    /// Consumes one point and writes its output row (<c>output.Length == OutputColumns.Count</c>). A missing point
    /// (NaN; infinities are treated the same) writes [0, NaN, ...] and leaves the state untouched.
    /// </summary>
    void Update(double value, Span<double> output);

    /// <summary>Writes a type tag, the options and the state: everything needed to continue exactly.</summary>
    void WriteState(BinaryWriter writer);
}
