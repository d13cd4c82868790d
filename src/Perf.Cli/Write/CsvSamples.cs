using System.Globalization;
using System.Text;
using Perf.Analytics.Time;

namespace Perf.Cli.Write;

/// <summary>
/// <c>timestamp,value</c> CSV (what <c>perf detect</c> reads) turned into line protocol for one host and metric: metric
/// <c>group.field</c> becomes measurement <c>group</c> and field <c>field</c>, the host the <c>host</c> tag, so the node
/// stores it as series <c>group.field</c> of that host. A first row that is not a sample is taken as a header.
/// </summary>
public static class CsvSamples
{
    public static (string LineProtocol, IReadOnlyList<string> Errors) ToLineProtocol(TextReader csv, string host, string metric)
    {
        var dot = metric.LastIndexOf('.');
        var measurement = Escape(metric[..dot], measurement: true);
        var field = Escape(metric[(dot + 1)..], measurement: false);
        var tag = "host=" + Escape(host, measurement: false);
        var lines = new StringBuilder();
        var errors = new List<string>();
        var number = 0;
        while (csv.ReadLine() is { } row)
        {
            number++;
            if (row.Trim().Length == 0) continue;
            var cells = row.Split(',');
            var parsedTime = TimestampParser.TryParse(cells[0].Trim(), out var ms);
            if (number == 1 && !parsedTime) continue; // header
            if (cells.Length < 2 || !parsedTime
                || !double.TryParse(cells[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                errors.Add($"line {number}: expected timestamp,value (RFC 3339 or Unix time, then a finite number), got \"{row}\"");
                continue;
            }
            lines.Append(measurement).Append(',').Append(tag).Append(' ').Append(field).Append('=')
                .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
                .Append((ms * 1_000_000).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return (lines.ToString(), errors);
    }

    /// <summary>Line protocol escapes: space and comma everywhere, '=' in tags and field keys.</summary>
    private static string Escape(string text, bool measurement)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is ' ' or ',' || (c == '=' && !measurement)) escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
