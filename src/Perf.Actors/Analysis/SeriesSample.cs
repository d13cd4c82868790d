using Perf.Actors.Series;
using Perf.Analytics.Compression;

namespace Perf.Actors.Analysis;

/// <summary>One requested metric of an analysis, as gathered from its series actor: bucketed points and recorded findings.</summary>
/// <param name="Requested">the name the request used (cpu_usage).</param>
/// <param name="Series">the series it stands for (cpu.usage).</param>
/// <param name="Points">bucket averages over the range, oldest first; empty when the series has none.</param>
/// <param name="Anomalies">the detectors' findings in the range.</param>
/// <param name="Threshold">the warning level of the metric's threshold rule, when it has one.</param>
public sealed record SeriesSample(string Requested, string Series, IReadOnlyList<DataPoint> Points, IReadOnlyList<Anomaly> Anomalies, double? Threshold);
