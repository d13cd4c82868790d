using System.Globalization;

namespace Perf.Cli.Metrics;

/// <summary>
/// Reads sample values out of the Prometheus text exposition format (version 0.0.4, which the
/// OpenTelemetry exporter and prometheus-net both write). Only what the benchmark needs: the value of one
/// metric by exact name, with any labels, optional timestamps, exponents and the special values.
/// </summary>
public static class PrometheusTextParser
{
    /// <summary>
    /// The value of <paramref name="metricName"/>, summed over all of its label sets (a gauge exported per
    /// node or per scope then still gives the process-wide figure); null when no sample has that name.
    /// </summary>
    public static double? FindGaugeValue(string exposition, string metricName)
    {
        double? sum = null;
        foreach (var sample in Samples(exposition))
        {
            if (sample.Name == metricName)
            {
                sum = (sum ?? 0) + sample.Value;
            }
        }

        return sum;
    }

    /// <summary>All sample lines as (name, value); comments, blank and malformed lines are skipped.</summary>
    public static IEnumerable<(string Name, double Value)> Samples(string exposition)
    {
        using var reader = new StringReader(exposition);
        while (reader.ReadLine() is { } line)
        {
            if (TryParseSample(line, out var name, out var value))
            {
                yield return (name, value);
            }
        }
    }

    public static bool TryParseSample(string line, out string name, out double value)
    {
        name = "";
        value = 0;
        var text = line.AsSpan().Trim();
        if (text.IsEmpty || text[0] == '#')
        {
            return false;
        }

        var nameLength = 0;
        while (nameLength < text.Length && IsNameChar(text[nameLength], nameLength == 0))
        {
            nameLength++;
        }

        if (nameLength == 0)
        {
            return false;
        }

        var position = nameLength;
        if (position < text.Length && text[position] == '{')
        {
            var labelsEnd = EndOfLabels(text, position);
            if (labelsEnd < 0)
            {
                return false;
            }

            position = labelsEnd + 1;
        }

        var rest = text[position..].TrimStart();
        // The value ends at the first blank; an optional timestamp in milliseconds may follow.
        var valueEnd = rest.IndexOfAny(' ', '\t');
        var valueText = valueEnd < 0 ? rest : rest[..valueEnd];
        if (!TryParseValue(valueText, out value))
        {
            return false;
        }

        name = text[..nameLength].ToString();
        return true;
    }

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "+Inf" or "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>Index of the '}' closing the label set that opens at <paramref name="open"/>, or -1.</summary>
    private static int EndOfLabels(ReadOnlySpan<char> text, int open)
    {
        // Label values are quoted and may contain '}', '"' (escaped) and backslashes, so scan, don't search.
        var inQuotes = false;
        for (var index = open + 1; index < text.Length; index++)
        {
            var character = text[index];
            if (inQuotes)
            {
                if (character == '\\')
                {
                    index++;
                }
                else if (character == '"')
                {
                    inQuotes = false;
                }
            }
            else if (character == '"')
            {
                inQuotes = true;
            }
            else if (character == '}')
            {
                return index;
            }
        }

        return -1;
    }

    private static bool IsNameChar(char character, bool isFirst) =>
        char.IsAsciiLetter(character) || character == '_' || character == ':' ||
        (!isFirst && char.IsAsciiDigit(character));
}
