using Perf.Actors.Series;
using Perf.Analytics.Compression;

namespace Perf.Actors.Reports;

/// <summary>One requested metric of one host, as gathered from its series actor.</summary>
/// <param name="Requested">the name the request used (cpu_usage).</param>
/// <param name="Series">the series it stands for (cpu.usage).</param>
/// <param name="Points">bucket averages, oldest first; empty when the host has no such series in the range.</param>
/// <param name="Summary">null when there are no points.</param>
public sealed record MetricReport(
    string Host, string Requested, string Series, IReadOnlyList<DataPoint> Points, IReadOnlyList<Anomaly> Anomalies, MetricSummary? Summary);
