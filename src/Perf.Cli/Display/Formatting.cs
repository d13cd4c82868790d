using System.Globalization;

namespace Perf.Cli.Display;

/// <summary>Number formats shared by the live views and the summary tables.</summary>
public static class Formatting
{
    /// <summary>What an engine's error answer says: a problem+json's detail, else the body as it is.</summary>
    public static string ProblemDetail(string body)
    {
        try { return System.Text.Json.Nodes.JsonNode.Parse(body)?["detail"]?.GetValue<string>() ?? body; }
        catch (System.Text.Json.JsonException) { return body; }
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    public static string Milliseconds(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    public static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Bytes(long? value) => value switch
    {
        null => "n/a",
        >= 1L << 30 => (value.Value / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (value.Value / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (value.Value / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => value.Value.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
