using System.Text.Json;
using System.Text.RegularExpressions;
using Perf.Analytics.Time;

namespace Perf.Api.Ingest;

/// <summary>
/// Reads the product document's metrics body (one object or an array of them) into a <see cref="SampleBatchBuilder"/>.
/// Each numeric leaf under <c>metrics</c> is one sample of series <c>group.field</c> (deeper nesting joins with dots);
/// <c>host</c> defaults to "default"; <c>labels</c> become part of the series name, Prometheus style:
/// <c>cpu.usage{core="0"}</c>. Derived series: <c>memory.usage</c> and <c>disk.usage</c> = used / total * 100.
/// Every problem is reported with the path of the field; one bad field rejects the whole request.
/// </summary>
public sealed partial class MetricsDocumentParser(TimeProvider clock, TimeSpan maxFutureSkew, TimeSpan retention)
{
    public const string DefaultHost = "default";
    private const int MaxNameLength = 200;
    private const int MaxErrors = 20;

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")]
    private static partial Regex HostPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_:-]*$")]
    private static partial Regex NamePattern();

    public (SampleBatchBuilder? Batch, IReadOnlyList<FieldError> Errors) Parse(JsonElement root)
    {
        var errors = new List<FieldError>();
        var samples = new SampleBatchBuilder();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                ParseSample(root, "", now, samples, errors);
                break;
            case JsonValueKind.Array when root.GetArrayLength() == 0:
                errors.Add(new FieldError("body", "the array holds no samples"));
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in root.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object) errors.Add(new FieldError($"[{index}]", "must be an object"));
                    else ParseSample(item, $"[{index}].", now, samples, errors);
                    if (errors.Count >= MaxErrors) break;
                    index++;
                }
                break;
            default:
                errors.Add(new FieldError("body", "must be a JSON object or an array of objects"));
                break;
        }
        return errors.Count > 0 ? (null, errors) : (samples, errors);
    }

    private void ParseSample(JsonElement sample, string at, long now, SampleBatchBuilder samples, List<FieldError> errors)
    {
        var errorsBefore = errors.Count;
        var host = DefaultHost;
        var timestamp = now;
        var labels = "";
        JsonElement? metrics = null;
        foreach (var property in sample.EnumerateObject())
        {
            switch (property.Name)
            {
                case "host":
                    if (property.Value.ValueKind != JsonValueKind.String || !IsValidHost(property.Value.GetString()))
                        errors.Add(new FieldError(at + "host", $"must be a string of 1-{MaxNameLength} letters, digits, '_', '.', ':' or '-'"));
                    else host = property.Value.GetString()!;
                    break;
                case "timestamp":
                    if (ReadTimestamp(property.Value, now, at + "timestamp", errors) is { } t) timestamp = t;
                    break;
                case "labels":
                    labels = ReadLabels(property.Value, at + "labels", errors);
                    break;
                case "metrics":
                    metrics = property.Value;
                    break;
                default:
                    errors.Add(new FieldError(at + property.Name, "is not a known field (host, timestamp, labels, metrics)"));
                    break;
            }
        }
        if (metrics is not { } groups)
        {
            errors.Add(new FieldError(at + "metrics", "is required"));
            return;
        }
        if (groups.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(at + "metrics", "must be an object of metric groups"));
            return;
        }
        var leaves = new List<(string Name, double Value)>();
        foreach (var group in groups.EnumerateObject())
            ReadLeaves(group.Value, group.Name, at + "metrics." + group.Name, leaves, errors, depth: 1);
        if (errors.Count > errorsBefore) return;
        if (leaves.Count == 0)
        {
            errors.Add(new FieldError(at + "metrics", "holds no numeric values"));
            return;
        }
        AddDerived(leaves);
        foreach (var (name, value) in leaves) samples.Add(host, name + labels, timestamp, value);
    }

    private static void ReadLeaves(JsonElement element, string name, string path, List<(string, double)> leaves, List<FieldError> errors, int depth)
    {
        var segment = name[(name.LastIndexOf('.') + 1)..];
        if (!NamePattern().IsMatch(segment) || name.Length > MaxNameLength)
        {
            errors.Add(new FieldError(path, "names start with a letter or '_' and hold only letters, digits, '_', ':' or '-'"));
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when depth == 1:
                errors.Add(new FieldError(path, "must be an object of fields, e.g. \"cpu\": {\"usage\": 45.2}"));
                break;
            case JsonValueKind.Number:
                var value = element.GetDouble();
                if (!double.IsFinite(value)) errors.Add(new FieldError(path, "is out of the range of a finite number"));
                else leaves.Add((name, value));
                break;
            case JsonValueKind.Object when depth < 4:
                foreach (var child in element.EnumerateObject())
                    ReadLeaves(child.Value, name + "." + child.Name, path + "." + child.Name, leaves, errors, depth + 1);
                break;
            case JsonValueKind.Object:
                errors.Add(new FieldError(path, "nests too deep (at most 4 levels)"));
                break;
            default:
                errors.Add(new FieldError(path, $"must be a number, not {Describe(element.ValueKind)}"));
                break;
        }
    }

    /// <summary>Usage percentages the document's GET /performance/metrics shows, when the agent sent used and total.</summary>
    private static void AddDerived(List<(string Name, double Value)> leaves)
    {
        foreach (var group in (string[])["memory", "disk"])
        {
            var used = Find(leaves, group + ".used");
            var total = Find(leaves, group + ".total");
            if (used is { } u && total is { } t && t > 0 && Find(leaves, group + ".usage") is null)
                leaves.Add((group + ".usage", u / t * 100));
        }
    }

    private static double? Find(List<(string Name, double Value)> leaves, string name)
    {
        foreach (var leaf in leaves) if (leaf.Name == name) return leaf.Value;
        return null;
    }

    private long? ReadTimestamp(JsonElement element, long now, string path, List<FieldError> errors)
    {
        long t;
        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        if (text is null || !TimestampParser.TryParse(text, out t))
        {
            errors.Add(new FieldError(path, "must be an RFC 3339 time such as \"2024-03-20T10:00:00Z\" or a Unix time number"));
            return null;
        }
        if (t > now + (long)maxFutureSkew.TotalMilliseconds)
        {
            errors.Add(new FieldError(path, $"is more than {DurationParser.Format(maxFutureSkew)} in the future"));
            return null;
        }
        if (t < now - (long)retention.TotalMilliseconds)
        {
            errors.Add(new FieldError(path, $"is older than the retention period ({DurationParser.Format(retention)})"));
            return null;
        }
        return t;
    }

    private static string ReadLabels(JsonElement element, string path, List<FieldError> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(path, "must be an object of string values"));
            return "";
        }
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in element.EnumerateObject())
        {
            if (!NamePattern().IsMatch(label.Name) || label.Name.Length > MaxNameLength)
                errors.Add(new FieldError($"{path}.{label.Name}", "label names start with a letter or '_' and hold only letters, digits, '_', ':' or '-'"));
            else if (label.Value.ValueKind != JsonValueKind.String || label.Value.GetString()!.Any(c => char.IsControl(c) || c == '/') || label.Value.GetString()!.Length > MaxNameLength)
                errors.Add(new FieldError($"{path}.{label.Name}", $"must be a string of at most {MaxNameLength} printable characters without '/'"));
            else labels[label.Name] = label.Value.GetString()!;
        }
        if (labels.Count == 0) return "";
        return "{" + string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"")) + "}";
    }

    public static bool IsValidHost(string? host) => host is { Length: > 0 and <= MaxNameLength } && HostPattern().IsMatch(host);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => kind.ToString(),
    };
}
