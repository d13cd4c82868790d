using System.Text.Json;
using Perf.Cli.Commands;
using Perf.Protocols.Tests.Conformance;

using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

/// <summary><c>perf write</c>: the dry run against the conformance corpus, and its options.</summary>
public sealed class WriteCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("perf-write-tests").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync(args);

    private static string Precision(string corpusPrecision) => corpusPrecision.TrimStart('1').Replace("µ", "u", StringComparison.Ordinal);

    private async Task<(int ExitCode, string Output, string Error)> DryRunAsync(LineProtocolCorpus.Case c)
    {
        var file = Path.Combine(_directory, c.Key + ".lp");
        await File.WriteAllBytesAsync(file, c.Input, TestContext.Current.CancellationToken);
        return await RunAsync("write", file, "--format", "line-protocol", "--dry-run", "--precision", Precision(c.Precision),
            "--default-time", c.DefaultTime.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_dry_run_prints_exactly_the_corpus_points_for_every_result_case()
    {
        var failures = new List<string>();
        foreach (var c in LineProtocolCorpus.Cases.Where(c => !c.ExpectsError))
        {
            var (exitCode, output, error) = await DryRunAsync(c);
            if (exitCode != 0)
            {
                failures.Add($"{c.Key}: exit {exitCode}: {error}");
                continue;
            }
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (Difference(c.Points!, lines) is { } difference) failures.Add($"{c.Key}: {difference}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} cases differ:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public async Task The_dry_run_exits_1_naming_the_line_and_reason_for_every_error_case()
    {
        var failures = new List<string>();
        foreach (var c in LineProtocolCorpus.Cases.Where(c => c.ExpectsError))
        {
            var (exitCode, _, error) = await DryRunAsync(c);
            if (exitCode != 1 || !error.Contains("line ", StringComparison.Ordinal)) failures.Add($"{c.Key}: exit {exitCode}: {error}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} cases not refused:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public async Task A_dry_run_line_has_the_documented_shape()
    {
        var file = Path.Combine(_directory, "one.lp");
        await File.WriteAllTextAsync(file, "cpu,zone=eu,host=a usage=1.5,n=-3i,u=18446744073709551615u,ok=t,s=\"x\\\"y\" 1700000000\n", TestContext.Current.CancellationToken);

        var (exitCode, output, _) = await RunAsync("write", file, "--dry-run", "--precision", "s");

        Assert.Equal(0, exitCode);
        Assert.Equal("{\"time\": 1700000000000000000, \"name\": \"cpu\", \"tags\": {\"host\": \"a\", \"zone\": \"eu\"}, " +
                     "\"fields\": {\"usage\": 1.5, \"n\": -3, \"u\": 18446744073709551615, \"ok\": true, \"s\": \"x\\\"y\"}}\n", output.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("samples.json", new string[0], "--dry-run decodes line-protocol and csv input")] // json by its extension
    [InlineData("cpu.CSV", new string[0], "--format csv needs --host and --metric")]
    [InlineData("samples.json", new[] { "--format", "csv" }, "--format csv needs --host and --metric")] // --format wins
    public async Task Without_format_the_files_extension_chooses_it(string name, string[] extra, string expected)
    {
        var file = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(file, "{}", TestContext.Current.CancellationToken);

        var (exitCode, _, error) = await RunAsync(["write", file, "--dry-run", .. extra]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_becomes_points_of_the_host_and_metric()
    {
        var file = Path.Combine(_directory, "cpu.csv");
        await File.WriteAllTextAsync(file, "timestamp,value\n2026-11-27T10:00:00Z,45.5\n1795773660,46\n", TestContext.Current.CancellationToken);

        var (exitCode, output, _) = await RunAsync("write", file, "--format", "csv", "--host", "web 1", "--metric", "cpu.usage", "--dry-run");

        Assert.Equal(0, exitCode);
        Assert.Equal([
            "{\"time\": 1795773600000000000, \"name\": \"cpu\", \"tags\": {\"host\": \"web 1\"}, \"fields\": {\"usage\": 45.5}}",
            "{\"time\": 1795773660000000000, \"name\": \"cpu\", \"tags\": {\"host\": \"web 1\"}, \"fields\": {\"usage\": 46}}",
        ], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("write x.csv --format csv --metric cpu.usage")]
    [InlineData("write x.csv --format csv --host h --metric usage")]
    [InlineData("write x.json --format json --dry-run")]
    [InlineData("write x.lp --precision fortnights")]
    public void Inconsistent_options_are_refused(string command)
    {
        Assert.NotEmpty(new PerfRootCommand().Parse(command).Errors);
    }

    private static string? Difference(IReadOnlyList<LineProtocolCorpus.ExpectedPoint> expected, string[] lines)
    {
        if (expected.Count != lines.Length) return $"{lines.Length} lines instead of {expected.Count} points";
        for (var i = 0; i < expected.Count; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var point = json.RootElement;
            var e = expected[i];
            if (point.GetProperty("time").GetInt64() != e.Time) return $"point {i}: time {point.GetProperty("time")} instead of {e.Time}";
            if (point.GetProperty("name").GetString() != e.Name) return $"point {i}: name {point.GetProperty("name")} instead of {e.Name}";
            var tags = point.GetProperty("tags").EnumerateObject().Select(t => new KeyValuePair<string, string>(t.Name, t.Value.GetString()!)).ToArray();
            if (!tags.SequenceEqual(e.Tags)) return $"point {i}: tags {point.GetProperty("tags")}";
            var fields = point.GetProperty("fields").EnumerateObject().ToArray();
            if (fields.Length != e.Fields.Count) return $"point {i}: {fields.Length} fields instead of {e.Fields.Count}";
            for (var j = 0; j < fields.Length; j++)
            {
                var (actual, wanted) = (fields[j], e.Fields[j]);
                var same = actual.Name == wanted.Key && wanted.Kind switch
                {
                    "float" => actual.Value.ValueKind == JsonValueKind.Number && actual.Value.GetDouble() == wanted.Value.GetDouble(),
                    "int" => actual.Value.ValueKind == JsonValueKind.Number && actual.Value.GetInt64() == wanted.Value.GetInt64(),
                    "uint" => actual.Value.ValueKind == JsonValueKind.Number && actual.Value.GetUInt64() == wanted.Value.GetUInt64(),
                    "bool" => actual.Value.ValueKind is JsonValueKind.True or JsonValueKind.False && actual.Value.GetBoolean() == wanted.Value.GetBoolean(),
                    "string" => actual.Value.ValueKind == JsonValueKind.String && actual.Value.GetString() == wanted.Value.GetString(),
                    _ => false,
                };
                if (!same) return $"point {i} field {j}: {actual} instead of {wanted.Key}={wanted.Kind} {wanted.Value}";
            }
        }
        return null;
    }
}
