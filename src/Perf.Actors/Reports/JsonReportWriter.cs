using System.Text.Json;
using Perf.Analytics.Time;

namespace Perf.Actors.Reports;

/// <summary>The report as JSON: the request, per host and metric the summary, the anomalies and the bucketed data.</summary>
public static class JsonReportWriter
{
    public static void Write(ReportData data, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var spec = data.Spec;
        w.WriteStartObject();
        w.WriteString("id", data.Id);
        w.WriteString("title", data.Title);
        w.WriteString("report_type", spec.ReportType);
        w.WriteString("time_range", spec.TimeRange);
        w.WriteString("start", TimestampParser.FormatIso(spec.FromMs));
        w.WriteString("end", TimestampParser.FormatIso(spec.ToMs));
        w.WriteString("step", DurationParser.Format(TimeSpan.FromMilliseconds(data.BucketMs)));
        w.WriteString("generated_at", TimestampParser.FormatIso(data.GeneratedMs));
        w.WriteStartArray("hosts");
        foreach (var host in data.ByHost)
        {
            w.WriteStartObject();
            w.WriteString("host", host.Key);
            w.WriteStartObject("metrics");
            foreach (var metric in host) WriteMetric(w, metric, spec);
            w.WriteEndObject();
            var context = data.ContextOf(host.Key);
            w.WriteStartArray("alerts");
            foreach (var t in context.Alerts)
            {
                w.WriteStartObject();
                w.WriteString("alert_id", t.AlertId);
                w.WriteString("rule", t.RuleId);
                w.WriteString("metric", t.Metric);
                w.WriteString("from", t.From.ToString().ToLowerInvariant());
                w.WriteString("to", t.To.ToString().ToLowerInvariant());
                w.WriteString("severity", t.Severity.ToString().ToLowerInvariant());
                w.WriteString("timestamp", TimestampParser.FormatIso(t.TimestampMs));
                Number(w, "value", t.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("recommendations");
            foreach (var r in context.Recommendations)
            {
                w.WriteStartObject();
                w.WriteString("kind", r.Kind);
                w.WriteString("action", r.Action);
                w.WriteString("reason", r.Reason);
                w.WriteString("at", TimestampParser.FormatIso(r.AtMs));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMetric(Utf8JsonWriter w, MetricReport metric, ReportSpec spec)
    {
        w.WriteStartObject(metric.Requested);
        w.WriteString("series", metric.Series);
        if (metric.Summary is { } s)
        {
            w.WriteStartObject("summary");
            Number(w, "min", s.Min);
            Number(w, "avg", s.Avg);
            Number(w, "max", s.Max);
            Number(w, "p95", s.P95);
            Number(w, "last", s.Last);
            w.WriteNumber("buckets", s.Buckets);
            w.WriteString("trend", ReportSummaries.TrendWord(s.Trend.Direction));
            Number(w, "slope_per_hour", s.Trend.SlopePerHour);
            Number(w, "confidence", s.Trend.Confidence);
            if (spec.ReportType == "capacity")
            {
                // Hours until the trend line reaches the capacity level; null when it is not rising.
                var until = ReportSummaries.TimeToCapacity(s, spec.FromMs, spec.ToMs);
                Hours(w, "hours_to_capacity", until);
                // The same at the ends of the slope's 95 % interval; the latest is null when the level may never be reached.
                var interval = ReportSummaries.CapacityInterval(s, spec.FromMs, spec.ToMs);
                Hours(w, "hours_to_capacity_earliest", interval?.Earliest);
                Hours(w, "hours_to_capacity_latest", interval?.Latest);
            }
            w.WriteEndObject();
        }
        else w.WriteNull("summary");
        w.WriteStartArray("anomalies");
        foreach (var a in metric.Anomalies)
        {
            w.WriteStartObject();
            w.WriteString("timestamp", TimestampParser.FormatIso(a.TimestampMs));
            Number(w, "value", a.Value);
            w.WriteString("detector", a.Detector);
            w.WriteString("kind", a.Kind);
            Number(w, "score", a.Score);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("points");
        foreach (var p in metric.Points)
        {
            w.WriteStartObject();
            w.WriteString("timestamp", TimestampParser.FormatIso(p.TimestampMs));
            Number(w, "value", p.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>JSON has no NaN: a value that is not finite is null.</summary>
    private static void Hours(Utf8JsonWriter w, string name, TimeSpan? span)
    {
        if (span is { } t && t != TimeSpan.MaxValue) Number(w, name, t.TotalHours);
        else w.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, Math.Round(value, 6));
        else w.WriteNull(name);
    }
}
