namespace Perf.Analytics.Detection;

/// <summary>Output columns of the ML.NET-style detectors.</summary>
public static class DetectorColumns
{
    /// <summary>IID and SSA spike detectors: [Alert, Score, P-Value].</summary>
    public static IReadOnlyList<string> Spike { get; } = Array.AsReadOnly(["Alert", "Score", "P-Value"]);

    /// <summary>IID and SSA change-point detectors: [Alert, Score, P-Value, Martingale].</summary>
    public static IReadOnlyList<string> ChangePoint { get; } = Array.AsReadOnly(["Alert", "Score", "P-Value", "Martingale"]);

    internal static void CheckOutput(Span<double> output, int columns)
    {
        if (output.Length != columns)
        {
            throw new ArgumentException($"The output row must have {columns} entries, not {output.Length}.", nameof(output));
        }
    }
}
