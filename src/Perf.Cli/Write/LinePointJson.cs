using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Perf.Protocols.LineProtocol;

namespace Perf.Cli.Write;

/// <summary>
/// The dry run's output: one JSON object per decoded point, on one line,
/// <c>{"time": &lt;int ns&gt;, "name": "...", "tags": {"k": "v"}, "fields": {"k": value}}</c>, each field value in its
/// decoded type (a number, true/false, or a string). Written by hand so integers beyond 2^53 stay exact.
/// </summary>
public static class LinePointJson
{
    private static readonly JsonSerializerOptions Strings = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(LinePoint point)
    {
        var json = new StringBuilder(64 + point.Fields.Count * 16);
        json.Append("{\"time\": ").Append(point.TimeNs.ToString(CultureInfo.InvariantCulture))
            .Append(", \"name\": ").Append(Quote(point.Measurement))
            .Append(", \"tags\": {");
        for (var i = 0; i < point.Tags.Count; i++)
            json.Append(i == 0 ? "" : ", ").Append(Quote(point.Tags[i].Key)).Append(": ").Append(Quote(point.Tags[i].Value));
        json.Append("}, \"fields\": {");
        for (var i = 0; i < point.Fields.Count; i++)
            json.Append(i == 0 ? "" : ", ").Append(Quote(point.Fields[i].Key)).Append(": ").Append(Value(point.Fields[i].Value));
        return json.Append("}}").ToString();
    }

    private static string Value(FieldValue value) => value.Kind switch
    {
        FieldKind.Float => value.Float.ToString("R", CultureInfo.InvariantCulture),
        FieldKind.Integer => value.Integer.ToString(CultureInfo.InvariantCulture),
        FieldKind.Unsigned => value.Unsigned.ToString(CultureInfo.InvariantCulture),
        FieldKind.Boolean => value.Boolean ? "true" : "false",
        _ => Quote(value.Text!),
    };

    private static string Quote(string text) => JsonSerializer.Serialize(text, Strings);
}
