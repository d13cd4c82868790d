namespace Perf.Actors.Reports;

/// <summary>
/// A validated report request (the product document's Generate Report). <paramref name="Metrics"/> as the caller named
/// them (cpu_usage or a series name); <paramref name="Hosts"/> resolved (every known host when the request named none).
/// </summary>
/// <param name="TimeRange">the range as asked (24h), for the title; the bounds are <paramref name="FromMs"/> and <paramref name="ToMs"/>.</param>
public sealed record ReportSpec(
    string ReportType,
    string TimeRange,
    long FromMs,
    long ToMs,
    string[] Metrics,
    string[] Hosts,
    string Format,
    bool IncludeGraphs);
