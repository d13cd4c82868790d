using System.Text.Json;
using Perf.Analytics.Time;
using Perf.Api.Ingest;

namespace Perf.Api.Http;

/// <summary>
/// Fields the management requests share (analyze, reports), read from a JSON body with every problem recorded in
/// <c>errors</c> under the field's name, so one request reports all its mistakes at once.
/// </summary>
public static class RequestFields
{
    /// <summary>
    /// Every property of <paramref name="root"/> that is not one of <paramref name="fields"/> is an error, named with
    /// <paramref name="prefix"/> for a nested object (<c>options.</c>).
    /// </summary>
    public static void Unknown(JsonElement root, string[] fields, string request, List<FieldError> errors, string prefix = "")
    {
        foreach (var property in root.EnumerateObject())
            if (!fields.Contains(property.Name))
                errors.Add(new FieldError(prefix + property.Name, $"is not a field of {request} ({string.Join(", ", fields)})"));
    }

    /// <summary>A string field that must be one of <paramref name="allowed"/>; null when it is not (and recorded).</summary>
    public static string? OneOf(JsonElement root, string field, IReadOnlyCollection<string> allowed, List<FieldError> errors)
    {
        var value = root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (value is null || !allowed.Contains(value)) errors.Add(new FieldError(field, $"must be one of {string.Join(", ", allowed)}"));
        return value;
    }

    /// <summary>Most names a list may hold (metrics to analyse or report, hosts, a key's host patterns): an analysis
    /// correlates every pair, and a longer list would make one request's work unbounded.</summary>
    public const int MaxNames = 100;

    /// <summary>A list of distinct names, at most <see cref="MaxNames"/>; absent is an empty list unless <paramref name="required"/>.</summary>
    public static List<string> Names(JsonElement root, string field, string what, bool required, Func<string, bool> invalid, List<FieldError> errors)
    {
        var names = new List<string>();
        if (!root.TryGetProperty(field, out var list))
        {
            if (required) errors.Add(new FieldError(field, $"must be a non-empty list of {what}"));
            return names;
        }
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            errors.Add(new FieldError(field, $"must be a non-empty list of {what}"));
            return names;
        }
        if (list.GetArrayLength() > MaxNames)
        {
            // Refused before a name is read: the work a request may ask for is bounded up front.
            errors.Add(new FieldError(field, $"lists {list.GetArrayLength()} names; at most {MaxNames} are allowed"));
            return names;
        }
        foreach (var (item, i) in list.EnumerateArray().Select((item, i) => (item, i)))
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (string.IsNullOrWhiteSpace(name) || name.Length > 1024 || invalid(name)) errors.Add(new FieldError($"{field}[{i}]", $"must be one of the {what}"));
            else if (names.Contains(name)) errors.Add(new FieldError($"{field}[{i}]", $"'{name}' is listed twice"));
            else names.Add(name);
        }
        return names;
    }

    /// <summary>
    /// <c>time_range</c>: a positive duration no longer than the retention period, or <paramref name="defaultRange"/>
    /// when absent; with the text as asked (for titles).
    /// </summary>
    public static (TimeSpan Range, string Text) TimeRange(JsonElement root, TimeSpan defaultRange, TimeSpan retention, List<FieldError> errors)
    {
        if (!root.TryGetProperty("time_range", out var r)) return (defaultRange, DurationParser.Format(defaultRange));
        if (r.ValueKind != JsonValueKind.String || !DurationParser.TryParse(r.GetString(), out var range) || range <= TimeSpan.Zero)
            errors.Add(new FieldError("time_range", "must be a duration such as 1h, 24h or 7d"));
        else if (range > retention)
            errors.Add(new FieldError("time_range", $"reaches past the retention period ({DurationParser.Format(retention)})"));
        else return (range, r.GetString()!);
        return (defaultRange, DurationParser.Format(defaultRange));
    }

    /// <summary>A true/false field, <paramref name="absent"/> when it is not there.</summary>
    public static bool Bool(JsonElement root, string field, bool absent, List<FieldError> errors, string prefix = "")
    {
        if (!root.TryGetProperty(field, out var value)) return absent;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        errors.Add(new FieldError(prefix + field, "must be true or false"));
        return absent;
    }
}
