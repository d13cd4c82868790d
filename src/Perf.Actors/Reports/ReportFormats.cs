namespace Perf.Actors.Reports;

/// <summary>The report formats, their file extensions and content types.</summary>
public static class ReportFormats
{
    public static readonly string[] All = ["pdf", "html", "csv", "json"];

    public static readonly string[] Types = ["performance_summary", "trend", "anomaly", "capacity"];

    public static string ContentType(string format) => format switch
    {
        "pdf" => "application/pdf",
        "html" => "text/html; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a report format"),
    };

}
