using System.Text.Json;

namespace Perf.Storage.Tests.Migration;

/// <summary>What the previous release served for one series (<c>tests/Data/legacy-ece6b33/expected.json</c>, made by more.py).</summary>
public sealed record ExpectedSeries(
    long Points, long FirstMs, long LastMs, double LastValue, double Sum, int Anomalies, int Chunks, IReadOnlyDictionary<string, long> DetectorPoints);

/// <summary>
/// The database file the previous release (ece6b33, layout 1: a journal and a snapshot per series) made from gen.py's
/// and more.py's writes: 3 hosts of 6 series, 400 points each (410 for cpu.usage, with journal rows after the series'
/// snapshots), sealed chunks, findings, the notification dispatcher's snapshot in the series snapshot table.
/// </summary>
public static class LegacyFile
{
    public static string Directory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Perf.sln"))) directory = directory.Parent;
            if (directory is null) throw new DirectoryNotFoundException("Perf.sln not found above " + AppContext.BaseDirectory);
            return Path.Combine(directory.FullName, "tests", "Data", "legacy-ece6b33");
        }
    }

    public static string DatabasePath
    {
        get
        {
            var path = Path.Combine(Directory, "perf.db");
            return File.Exists(path) ? path : throw new FileNotFoundException(
                "The database of the previous release is missing (the repository ignores *.db: it must be added with git add -f)", path);
        }
    }

    /// <summary>A copy of the file in <paramref name="directory"/>, for a test to change; its path.</summary>
    public static string CopyTo(TestDirectory directory, string name = "legacy.db")
    {
        var copy = directory.File(name);
        File.Copy(DatabasePath, copy);
        return copy;
    }

    public static IReadOnlyDictionary<string, ExpectedSeries> Expected { get; } = LoadExpected();

    private static Dictionary<string, ExpectedSeries> LoadExpected()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "expected.json")));
        var expected = new Dictionary<string, ExpectedSeries>(StringComparer.Ordinal);
        foreach (var series in document.RootElement.EnumerateObject())
        {
            var e = series.Value;
            expected[series.Name] = new ExpectedSeries(
                e.GetProperty("points").GetInt64(),
                // RFC 3339 in the API's answers; whole seconds here, since gen.py and more.py wrote whole seconds.
                DateTimeOffset.Parse(e.GetProperty("first").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                DateTimeOffset.Parse(e.GetProperty("last").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                e.GetProperty("last_value").GetDouble(),
                e.GetProperty("sum").GetDouble(),
                e.GetProperty("anomalies").GetInt32(),
                e.GetProperty("chunks").GetInt32(),
                e.GetProperty("detector_points").EnumerateObject().ToDictionary(d => d.Name, d => d.Value.GetInt64(), StringComparer.Ordinal));
        }
        return expected;
    }
}
