using System.Globalization;
using System.Text;
using Perf.Analytics.Detection;

namespace Perf.Cli.Commands;

/// <summary>Thrown for malformed input files; the message names the file and line.</summary>
public sealed class DetectInputException(string message) : Exception(message);

/// <summary>
/// Runs one detector over one <c>timestamp,value</c> CSV and writes <c>timestamp,value,anomaly_score</c> (plus the
/// detector's own columns on request): one output row per input row, in order, timestamps and values echoed as read,
/// numbers in invariant culture at full precision ("R").
/// </summary>
public static class DetectCsv
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd",
    ];

    /// <summary>Detects over <paramref name="inputPath"/> into <paramref name="outputPath"/>; returns the number of data rows.</summary>
    public static int Run(IStreamingDetector detector, string inputPath, string outputPath, bool allColumns)
    {
        ArgumentNullException.ThrowIfNull(detector);
        using var reader = new StreamReader(inputPath, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Written to a temporary file and moved into place, so a failed run leaves no half-written result behind.
        string temporary = outputPath + ".tmp";
        int rows;
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                rows = Run(detector, reader, writer, allColumns, inputPath);
            }

            File.Move(temporary, outputPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return rows;
    }

    /// <summary>Detects from <paramref name="input"/> to <paramref name="output"/>; <paramref name="source"/> names the input in errors.</summary>
    public static int Run(IStreamingDetector detector, TextReader input, TextWriter output, bool allColumns, string source)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);

        string? header = input.ReadLine();
        if (header is null)
        {
            throw new DetectInputException($"{source}: empty file (expected a header row 'timestamp,value').");
        }

        var fields = new List<string>();
        Split(header.TrimStart('\uFEFF'), fields);
        int timestampColumn = fields.FindIndex(f => string.Equals(f.Trim(), "timestamp", StringComparison.OrdinalIgnoreCase));
        int valueColumn = fields.FindIndex(f => string.Equals(f.Trim(), "value", StringComparison.OrdinalIgnoreCase));
        if (timestampColumn < 0 || valueColumn < 0)
        {
            throw new DetectInputException($"{source}:1: the header must name the columns 'timestamp' and 'value' (found '{header}').");
        }

        var columns = detector.OutputColumns;
        var headerLine = new StringBuilder("timestamp,value,anomaly_score");
        if (allColumns)
        {
            foreach (string column in columns)
            {
                headerLine.Append(',').Append(Quote(column));
            }
        }

        output.WriteLine(headerLine.ToString());

        var row = new double[columns.Count];
        var line = new StringBuilder();
        int rows = 0;
        int lineNumber = 1;
        string? text;
        while ((text = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (text.Length == 0)
            {
                continue;
            }

            Split(text, fields);
            if (fields.Count <= Math.Max(timestampColumn, valueColumn))
            {
                throw new DetectInputException($"{source}:{lineNumber}: expected at least {Math.Max(timestampColumn, valueColumn) + 1} fields, found {fields.Count}.");
            }

            string timestamp = fields[timestampColumn];
            if (!IsTimestamp(timestamp))
            {
                throw new DetectInputException(
                    $"{source}:{lineNumber}: '{timestamp}' is not a timestamp (expected e.g. 2014-04-01 00:00:00 or RFC 3339).");
            }

            string valueText = fields[valueColumn];
            double value = ParseValue(valueText, source, lineNumber);
            detector.Update(value, row);
            double score = DetectorCatalog.AnomalyScore(detector, row);

            line.Clear();
            line.Append(Quote(timestamp)).Append(',').Append(Quote(valueText)).Append(',').Append(Format(score));
            if (allColumns)
            {
                foreach (double entry in row)
                {
                    line.Append(',').Append(Format(entry));
                }
            }

            output.WriteLine(line.ToString());
            rows++;
        }

        return rows;
    }

    /// <summary>Full precision, invariant culture: the shortest text that reads back as the same double.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="text"/> is a NAB-style (<c>2014-04-01 00:00:00</c>) or RFC 3339 timestamp.</summary>
    public static bool IsTimestamp(string text) =>
        DateTime.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    private static double ParseValue(string text, string source, int lineNumber)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN; // a missing point: scored 0, detector state untouched
        }

        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return value;
        }

        throw new DetectInputException($"{source}:{lineNumber}: '{text}' is not a number.");
    }

    /// <summary>Splits one CSV line into <paramref name="fields"/> (RFC 4180 quoting; quotes are removed).</summary>
    private static void Split(string line, List<string> fields)
    {
        fields.Clear();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().TrimEnd('\r'));
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
