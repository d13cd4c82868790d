namespace Perf.Actors.Analysis;

/// <summary>Requests to the <see cref="AnalysisActor"/> of a worker node (from any node's API).</summary>
public static class AnalysisProtocol
{
    /// <summary>
    /// The product document's analyze request, validated: <paramref name="Metrics"/> as the caller named them
    /// (<c>cpu_usage</c> or a series name such as <c>cpu.usage</c>). Answered with <see cref="AnalysisDocument"/> or
    /// <see cref="AnalysisFailed"/>.
    /// </summary>
    public sealed record Analyze(
        string Host,
        string AnalysisType,
        string[] Metrics,
        long FromMs,
        long ToMs,
        bool DetectAnomalies,
        bool IdentifyPatterns,
        bool CalculateCorrelations) : IPerfMessage;

    /// <summary>The answer in the document's shape, as JSON (the API host passes it on as it is).</summary>
    public sealed record AnalysisDocument(string Json) : IPerfMessage;

    /// <summary>The analysis could not run; <paramref name="Field"/> names the request field at fault.</summary>
    public sealed record AnalysisFailed(string Field, string Message, int Status) : IPerfMessage;
}
