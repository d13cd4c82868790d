using System.Globalization;
using Perf.Analytics.Time;

namespace Perf.Actors.Reports;

/// <summary>The words and numbers the table of a report shows, shared by the PDF and HTML writers.</summary>
public static class ReportText
{
    public static readonly string[] Columns = ["metric", "min", "avg", "max", "p95", "last", "trend", "anomalies"];

    public static string[] Row(MetricReport metric) => metric.Summary is { } s
        ? [metric.Requested, Number(s.Min), Number(s.Avg), Number(s.Max), Number(s.P95), Number(s.Last), Trend(s),
           metric.Anomalies.Count.ToString(CultureInfo.InvariantCulture)]
        : [metric.Requested, "-", "-", "-", "-", "-", "no data", "0"];

    public static string Trend(MetricSummary s) =>
        $"{ReportSummaries.TrendWord(s.Trend.Direction)} ({s.Trend.SlopePerHour.ToString("+0.###;-0.###;0", CultureInfo.InvariantCulture)}/h)";

    public static string Number(double value) =>
        !double.IsFinite(value) ? "-" : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Subtitle(ReportData data) =>
        $"{data.Spec.TimeRange}: {TimestampParser.FormatIso(data.Spec.FromMs)} to {TimestampParser.FormatIso(data.Spec.ToMs)}, " +
        $"buckets of {DurationParser.Format(TimeSpan.FromMilliseconds(data.BucketMs))}";

    public static string Anomaly(Perf.Actors.Series.Anomaly a) =>
        $"{TimestampParser.FormatIso(a.TimestampMs)}  {a.Kind} ({a.Detector}), value {Number(a.Value)}, score {a.Score.ToString("0.##", CultureInfo.InvariantCulture)}";
}
