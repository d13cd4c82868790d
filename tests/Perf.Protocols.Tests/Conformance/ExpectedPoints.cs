using Perf.Protocols.LineProtocol;

namespace Perf.Protocols.Tests.Conformance;

/// <summary>Compares decoded points with a corpus case's expected points: same count, time, name, tags, and fields with their types.</summary>
public static class ExpectedPoints
{
    /// <summary>Null when they match, else what differs first.</summary>
    public static string? Difference(IReadOnlyList<LineProtocolCorpus.ExpectedPoint> expected, IReadOnlyList<LinePoint> actual)
    {
        if (expected.Count != actual.Count) return $"{actual.Count} points instead of {expected.Count}";
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            if (e.Time != a.TimeNs) return $"point {i}: time {a.TimeNs} instead of {e.Time}";
            if (e.Name != a.Measurement) return $"point {i}: name '{a.Measurement}' instead of '{e.Name}'";
            if (!e.Tags.SequenceEqual(a.Tags)) return $"point {i}: tags {Show(a.Tags)} instead of {Show(e.Tags)}";
            if (e.Fields.Count != a.Fields.Count) return $"point {i}: {a.Fields.Count} fields instead of {e.Fields.Count}";
            for (var j = 0; j < e.Fields.Count; j++)
                if (FieldDifference(e.Fields[j], a.Fields[j]) is { } difference) return $"point {i} field {j}: {difference}";
        }
        return null;
    }

    private static string? FieldDifference(LineProtocolCorpus.ExpectedField expected, LineField actual)
    {
        if (expected.Key != actual.Key) return $"key '{actual.Key}' instead of '{expected.Key}'";
        var value = actual.Value;
        var same = expected.Kind switch
        {
            "float" => value.Kind == FieldKind.Float && value.Float == expected.Value.GetDouble(),
            "int" => value.Kind == FieldKind.Integer && value.Integer == expected.Value.GetInt64(),
            "uint" => value.Kind == FieldKind.Unsigned && value.Unsigned == expected.Value.GetUInt64(),
            "bool" => value.Kind == FieldKind.Boolean && value.Boolean == expected.Value.GetBoolean(),
            "string" => value.Kind == FieldKind.String && value.Text == expected.Value.GetString(),
            _ => false,
        };
        return same ? null : $"{expected.Key}: {value} instead of {expected.Kind} {expected.Value}";
    }

    private static string Show(IEnumerable<KeyValuePair<string, string>> tags) => "{" + string.Join(", ", tags.Select(t => $"{t.Key}={t.Value}")) + "}";
}
