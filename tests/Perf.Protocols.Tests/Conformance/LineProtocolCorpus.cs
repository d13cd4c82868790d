using System.Text;
using System.Text.Json;

namespace Perf.Protocols.Tests.Conformance;

/// <summary>
/// The development half of the InfluxDB line protocol conformance corpus (<c>tests/Data/line-protocol/corpus-dev.json</c>,
/// a copy of the shared one kept in the repository so a clean clone tests anywhere): each case is an input with its precision and default time, and either the exact points it
/// decodes to or an error. Linked into the API and CLI test projects too, which run the same cases over HTTP and
/// through <c>perf write --dry-run</c>.
/// </summary>
public static class LineProtocolCorpus
{
    public sealed record Case(string Key, byte[] Input, string Precision, long DefaultTime, IReadOnlyList<ExpectedPoint>? Points, string? Error)
    {
        public bool ExpectsError => Error is not null;

        public override string ToString() => Key;
    }

    public sealed record ExpectedPoint(long Time, string Name, IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<ExpectedField> Fields);

    /// <param name="Kind">float, int, uint, bool or string, as the corpus names them.</param>
    public sealed record ExpectedField(string Key, string Kind, JsonElement Value);

    private static readonly Lazy<IReadOnlyList<Case>> Loaded = new(Load);

    public static IReadOnlyList<Case> Cases => Loaded.Value;

    public static string FilePath
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Perf.sln"))) directory = directory.Parent;
            if (directory is null) throw new DirectoryNotFoundException("Perf.sln not found above " + AppContext.BaseDirectory);
            var path = Path.Combine(directory.FullName, "tests", "Data", "line-protocol", "corpus-dev.json");
            return File.Exists(path) ? path : throw new FileNotFoundException("The line protocol corpus is missing from the repository", path);
        }
    }

    private static IReadOnlyList<Case> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
        var cases = new List<Case>();
        foreach (var entry in document.RootElement.GetProperty("decode").EnumerateObject())
        {
            var input = entry.Value.GetProperty("input");
            var text = input.GetProperty("text");
            var bytes = text.ValueKind == JsonValueKind.String
                ? Encoding.UTF8.GetBytes(text.GetString()!)
                : Convert.FromBase64String(text.GetProperty("binary").GetString()!);
            var output = entry.Value.GetProperty("output");
            IReadOnlyList<ExpectedPoint>? points = null;
            string? error = null;
            if (output.TryGetProperty("error", out var message)) error = message.GetString();
            else points = output.GetProperty("result").EnumerateArray().Select(ReadPoint).ToArray();
            cases.Add(new Case(entry.Name, bytes, input.GetProperty("precision").GetString()!, input.GetProperty("defaultTime").GetInt64(), points, error));
        }
        return cases;
    }

    private static ExpectedPoint ReadPoint(JsonElement point) => new(
        point.GetProperty("time").GetInt64(),
        point.GetProperty("name").GetString()!,
        point.GetProperty("tags").EnumerateArray().Select(t => new KeyValuePair<string, string>(t.GetProperty("key").GetString()!, t.GetProperty("value").GetString()!)).ToArray(),
        point.GetProperty("fields").EnumerateArray().Select(f =>
        {
            var value = f.GetProperty("value").EnumerateObject().Single();
            return new ExpectedField(f.GetProperty("key").GetString()!, value.Name, value.Value.Clone());
        }).ToArray());

    /// <summary>The corpus' case keys, as theory data (the cases themselves are looked up by key, so test names stay short).</summary>
    public static TheoryData<string> Keys(bool? expectsError = null)
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Where(c => expectsError is null || c.ExpectsError == expectsError)) data.Add(c.Key);
        return data;
    }

    public static Case Get(string key) => Cases.First(c => c.Key == key);
}
