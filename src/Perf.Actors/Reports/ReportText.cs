using System.Globalization;
using Perf.Analytics.Time;

namespace Perf.Actors.Reports;

/// <summary>The words and numbers the table of a report shows, shared by the PDF and HTML writers.</summary>
public static class ReportText
{
    public static readonly string[] Columns = ["metric", "min", "avg", "max", "p95", "last", "trend", "anomalies"];

    /// <summary>A capacity report adds when each metric's trend line reaches <see cref="ReportSummaries.CapacityLevel"/>.</summary>
    public static string[] ColumnsFor(ReportData data) =>
        data.Spec.ReportType == "capacity" ? [.. Columns, $"reaches {ReportSummaries.CapacityLevel:0}"] : Columns;

    public static string[] Row(MetricReport metric, ReportData data)
    {
        string[] row = metric.Summary is { } s
            ? [metric.Requested, Number(s.Min), Number(s.Avg), Number(s.Max), Number(s.P95), Number(s.Last), Trend(s),
               metric.Anomalies.Count.ToString(CultureInfo.InvariantCulture)]
            : [metric.Requested, "-", "-", "-", "-", "-", "no data", "0"];
        if (data.Spec.ReportType != "capacity") return row;
        if (metric.Summary is not { } summary) return [.. row, Projection(null)];
        var projection = ReportSummaries.TimeToCapacity(summary, data.Spec.FromMs, data.Spec.ToMs);
        return [.. row, Projection(projection, ReportSummaries.CapacityInterval(summary, data.Spec.FromMs, data.Spec.ToMs))];
    }

    /// <summary>"in 3d4h (2d-5d)": the projection with the ends of its 95 % interval ("2d or later" when the gentlest
    /// slope in it is not rising).</summary>
    public static string Projection(TimeSpan? untilCapacity, (TimeSpan Earliest, TimeSpan? Latest)? interval)
    {
        var text = Projection(untilCapacity);
        if (interval is not { } i || untilCapacity is not { } t || t == TimeSpan.Zero || t > TimeSpan.FromDays(365)) return text;
        return i.Latest is { } l && l <= TimeSpan.FromDays(365) ? $"{text} ({Short(i.Earliest)}-{Short(l)})" : $"{text} ({Short(i.Earliest)} or later)";

        static string Short(TimeSpan span) => DurationParser.Format(TimeSpan.FromMinutes(Math.Ceiling(span.TotalMinutes)));
    }

    /// <summary>"now", "in 3d 4h", "not rising", "not within a year".</summary>
    public static string Projection(TimeSpan? untilCapacity) => untilCapacity switch
    {
        null => "not rising",
        { } t when t == TimeSpan.Zero => "now",
        { } t when t > TimeSpan.FromDays(365) => "not within a year",
        { } t => "in " + DurationParser.Format(TimeSpan.FromMinutes(Math.Ceiling(t.TotalMinutes))),
    };

    public static string Trend(MetricSummary s) =>
        $"{ReportSummaries.TrendWord(s.Trend.Direction)} ({s.Trend.SlopePerHour.ToString("+0.###;-0.###;0", CultureInfo.InvariantCulture)}/h)";

    public static string Number(double value) =>
        !double.IsFinite(value) ? "-" : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Subtitle(ReportData data) =>
        $"{data.Spec.TimeRange}: {TimestampParser.FormatIso(data.Spec.FromMs)} to {TimestampParser.FormatIso(data.Spec.ToMs)}, " +
        $"buckets of {DurationParser.Format(TimeSpan.FromMilliseconds(data.BucketMs))}";

    public static string Alert(Perf.Actors.Alerts.AlertEvents.AlertTransitioned t) =>
        $"{TimestampParser.FormatIso(t.TimestampMs)}  {t.RuleName} on {t.Metric}: {t.From.ToString().ToLowerInvariant()} -> " +
        $"{t.To.ToString().ToLowerInvariant()} ({t.Severity.ToString().ToLowerInvariant()}), value {Number(t.Value)}, threshold {Number(t.Threshold)}";

    public static string Recommendation(Perf.Actors.Optimization.Recommendation r) =>
        $"{TimestampParser.FormatIso(r.AtMs)}  {r.Kind}: {r.Action}. {r.Reason}";

    public static string Anomaly(Perf.Actors.Series.Anomaly a) =>
        $"{TimestampParser.FormatIso(a.TimestampMs)}  {a.Kind} ({a.Detector}), value {Number(a.Value)}, score {a.Score.ToString("0.##", CultureInfo.InvariantCulture)}";
}
