using System.Globalization;
using Perf.Analytics.Detection;
using Perf.Cli.Commands;

using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

/// <summary><c>perf detect</c> end to end on temporary files.</summary>
public sealed class DetectCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "perf-detect-tests-" + Guid.NewGuid().ToString("N"));

    public DetectCommandTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
    }

    public static TheoryData<string> DetectorNames() => [.. DetectorCatalog.Names];

    [Theory]
    [MemberData(nameof(DetectorNames))]
    public async Task OneRowPerInputRow_InOrder_WithEchoedTimestampsAndValues(string detector)
    {
        var (timestamps, values) = Series(600, seed: 1);
        string input = WriteCsv("in.csv", timestamps, values);
        string output = Path.Combine(_root, "out.csv");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {output} --detector {detector}");

        Assert.True(exitCode == 0, error);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal("timestamp,value,anomaly_score", lines[0]);
        Assert.Equal(timestamps.Length + 1, lines.Length);
        for (int i = 0; i < timestamps.Length; i++)
        {
            string[] fields = lines[i + 1].Split(',');
            Assert.Equal(3, fields.Length);
            Assert.Equal(timestamps[i], fields[0]);
            Assert.Equal(values[i], fields[1]);
            double score = double.Parse(fields[2], CultureInfo.InvariantCulture);
            Assert.InRange(score, 0.0, 1.0);
        }
    }

    [Fact]
    public async Task Scores_AreWrittenAtFullPrecision_AndEqualADirectRun()
    {
        var (timestamps, values) = Series(800, seed: 2);
        string input = WriteCsv("in.csv", timestamps, values);
        string output = Path.Combine(_root, "out.csv");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {output} --detector ssa-spike");

        Assert.True(exitCode == 0, error);
        var detector = new SsaSpikeDetector();
        var row = new double[3];
        string[] lines = File.ReadAllLines(output);
        int fractional = 0;
        for (int i = 0; i < values.Length; i++)
        {
            detector.Update(ParseValue(values[i]), row);
            double expected = DetectorCatalog.AnomalyScore(detector, row);
            string text = lines[i + 1].Split(',')[2];
            double written = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(written));
            Assert.Equal(expected.ToString("R", CultureInfo.InvariantCulture), text);
            if (text.Length > 12)
            {
                fractional++;
            }
        }

        Assert.True(fractional > 100, "scores should carry their full precision (more than 12 characters)");
    }

    [Fact]
    public async Task AllColumns_AddsTheDetectorsOwnColumns()
    {
        var (timestamps, values) = Series(300, seed: 3);
        string input = WriteCsv("in.csv", timestamps, values);
        string output = Path.Combine(_root, "out.csv");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {output} --all-columns");

        Assert.True(exitCode == 0, error);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal("timestamp,value,anomaly_score,Alert,Score,Novelty,TailProbability,Spatial", lines[0]);
        Assert.Equal(timestamps.Length + 1, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Equal(8, line.Split(',').Length));
        // For the ensemble, anomaly_score is its Score column.
        Assert.All(lines.Skip(1).Where(l => !l.Contains("NaN", StringComparison.Ordinal)),
            line => Assert.Equal(line.Split(',')[2], line.Split(',')[4]));
    }

    [Fact]
    public async Task Rfc3339Timestamps_MissingValues_AndCrLf_AreAccepted()
    {
        string input = Path.Combine(_root, "rfc.csv");
        File.WriteAllText(input,
            "timestamp,value\r\n2024-05-01T00:00:00Z,1.5\r\n2024-05-01T00:05:00+02:00,\r\n2024-05-01T00:10:00.250Z,NaN\r\n2024-05-01T00:15:00Z,2\r\n");
        string output = Path.Combine(_root, "out.csv");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {output} --detector iid-spike");

        Assert.True(exitCode == 0, error);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(
            ["timestamp,value,anomaly_score", "2024-05-01T00:00:00Z,1.5,0.5", "2024-05-01T00:05:00+02:00,,0", "2024-05-01T00:10:00.250Z,NaN,0"],
            lines[..4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public async Task InputDir_IsMirrored_WithPlainProgressWhenRedirected()
    {
        string inputDir = Path.Combine(_root, "data");
        var (timestamps, values) = Series(200, seed: 4);
        string[] relative = ["artificialNoAnomaly/a.csv", "realKnownCause/b.csv", "realTweets/deeper/c.csv"];
        for (int i = 0; i < relative.Length; i++)
        {
            WriteCsv(Path.Combine("data", relative[i]), timestamps[..(100 + (i * 50))], values[..(100 + (i * 50))]);
        }

        File.WriteAllText(Path.Combine(inputDir, "README.md"), "not a csv");
        string outputDir = Path.Combine(_root, "results");

        var (exitCode, output, error) = await RunAsync($"detect --input-dir {inputDir} --output-dir {outputDir} --detector sr");

        Assert.True(exitCode == 0, error);
        string[] produced = [.. Directory.EnumerateFiles(outputDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(outputDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
        Assert.Equal(relative, produced);
        for (int i = 0; i < relative.Length; i++)
        {
            Assert.Equal(100 + (i * 50) + 1, File.ReadAllLines(Path.Combine(outputDir, relative[i])).Length);
        }

        Assert.Contains("[1/3] artificialNoAnomaly", output, StringComparison.Ordinal);
        Assert.Contains("[3/3] realTweets", output, StringComparison.Ordinal);
        Assert.Contains("3 files, 450 rows", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--option nope=1", "nope")]
    [InlineData("--detector iid-spike --option confidence=200", "confidence")]
    [InlineData("--detector iid-spike --option side=sideways", "side")]
    [InlineData("--detector ssa-spike --option trainingWindowSize=abc", "trainingWindowSize")]
    [InlineData("--detector ssa-spike --option seasonalityWindowSize=60", "TrainingWindowSize")]
    [InlineData("--option sensitivity", "sensitivity")]
    [InlineData("--detector sr --option threshold=2", "threshold")]
    public async Task BadOption_IsAnErrorNamingTheOption(string options, string named)
    {
        var (timestamps, values) = Series(50, seed: 5);
        string input = WriteCsv("in.csv", timestamps, values);
        string output = Path.Combine(_root, "out.csv");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {output} {options}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains(named, error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Options_AreApplied()
    {
        var (timestamps, values) = Series(400, seed: 6);
        string input = WriteCsv("in.csv", timestamps, values);
        string a = Path.Combine(_root, "a.csv");
        string b = Path.Combine(_root, "b.csv");

        await RunAsync($"detect --input {input} --output {a} --detector iid-spike --option pvalueHistoryLength=50");
        await RunAsync($"detect --input {input} --output {b} --detector iid-spike --option PvalueHistoryLength=100");
        var direct = new IidSpikeDetector(new IidSpikeOptions(PvalueHistoryLength: 50));
        var row = new double[3];
        string[] lines = File.ReadAllLines(a);
        for (int i = 0; i < values.Length; i++)
        {
            direct.Update(ParseValue(values[i]), row);
            Assert.Equal(DetectorCatalog.AnomalyScore(direct, row).ToString("R", CultureInfo.InvariantCulture), lines[i + 1].Split(',')[2]);
        }

        Assert.NotEqual(File.ReadAllText(a), File.ReadAllText(b));
    }

    [Fact]
    public async Task UnknownDetector_IsAParseError()
    {
        var (exitCode, _, _) = await RunAsync("detect --input a.csv --output b.csv --detector nope");
        Assert.NotEqual(0, exitCode);
    }

    [Theory]
    [InlineData("detect --input a.csv")]
    [InlineData("detect --input-dir a --output b.csv")]
    [InlineData("detect --input a.csv --output b.csv --input-dir c --output-dir d")]
    [InlineData("detect")]
    public void ModeOptions_MustBeGivenInPairs(string commandLine)
    {
        Assert.NotEmpty(new PerfRootCommand().Parse(commandLine).Errors);
    }

    [Fact]
    public async Task BadInput_NamesTheFileAndLine()
    {
        string input = Path.Combine(_root, "bad.csv");
        File.WriteAllText(input, "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,x\n");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {Path.Combine(_root, "out.csv")}");

        Assert.Equal(1, exitCode);
        Assert.Contains("bad.csv:3", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "out.csv")));
        Assert.False(File.Exists(Path.Combine(_root, "out.csv.tmp")));
    }

    [Fact]
    public async Task BadTimestamp_IsAnError()
    {
        string input = Path.Combine(_root, "bad.csv");
        File.WriteAllText(input, "timestamp,value\nyesterday,1\n");

        var (exitCode, _, error) = await RunAsync($"detect --input {input} --output {Path.Combine(_root, "out.csv")}");

        Assert.Equal(1, exitCode);
        Assert.Contains("yesterday", error, StringComparison.Ordinal);
    }

    private static double ParseValue(string text) =>
        text.Length == 0 ? double.NaN : double.Parse(text, CultureInfo.InvariantCulture);

    private static (string[] Timestamps, string[] Values) Series(int length, int seed)
    {
        var random = new Random(seed);
        var start = new DateTime(2014, 4, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var timestamps = new string[length];
        var values = new string[length];
        for (int i = 0; i < length; i++)
        {
            timestamps[i] = start.AddMinutes(5 * i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            double value = 50 + (3 * Math.Sin(2 * Math.PI * i / 24)) + (random.NextDouble() * 2) + (i == length * 3 / 4 ? 30 : 0);
            values[i] = i % 97 == 13 ? "" : value.ToString("R", CultureInfo.InvariantCulture);
        }

        return (timestamps, values);
    }

    private string WriteCsv(string relativePath, string[] timestamps, string[] values)
    {
        string path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, ["timestamp,value", .. timestamps.Zip(values, (t, v) => t + "," + v)]);
        return path;
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string commandLine) => CliRunner.RunAsync(commandLine);
}
