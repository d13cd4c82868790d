using System.Globalization;
using Perf.Analytics.Time;

namespace Perf.Actors.Reports;

/// <summary>The data behind a report: one row per bucket average, <c>host,metric,timestamp,value</c> (metric as requested).</summary>
public static class CsvReportWriter
{
    public static void Write(ReportData data, TextWriter writer)
    {
        writer.Write("host,metric,timestamp,value\n");
        foreach (var metric in data.Metrics)
        foreach (var point in metric.Points)
            writer.Write($"{Field(metric.Host)},{Field(metric.Requested)},{TimestampParser.FormatIso(point.TimestampMs)},{point.Value.ToString("R", CultureInfo.InvariantCulture)}\n");
    }

    /// <summary>RFC 4180 quoting; host and metric names are restricted but a comma must never shift a column.</summary>
    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
