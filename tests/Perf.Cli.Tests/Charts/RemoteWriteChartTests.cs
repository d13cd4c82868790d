using System.Xml.Linq;
using Perf.Cli.Charts;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests.Charts;

/// <summary>The remote-write benchmark's chart, from the RESULT lines <c>perf bench remote-write</c> prints.</summary>
public sealed class RemoteWriteChartTests : IDisposable
{
    // As bench/remote-write.sh collects them: progress lines, warm-ups, then the measured runs of each receiver.
    private const string Results = """
        perf bench remote-write: perf-warmup, 40k samples/s, 800 requests encoded (1.2 MB)
        RESULT receiver=perf-warmup target=40000 achieved=40005 kept_up=yes samples=400000 requests=800/800 errors=0 p50_ms=12.1 p99_ms=88.0 elapsed_s=10.0 cpu_s=12.1 cpu_s_per_million=30.25 rss_mb=300 rss_mb_per_million=750.0
        RESULT receiver=perf target=80000 achieved=67688 kept_up=no samples=1600000 requests=3200/3200 errors=0 p50_ms=90.1 p99_ms=203.8 elapsed_s=23.6 cpu_s=43.0 cpu_s_per_million=26.9 rss_mb=366 rss_mb_per_million=228.8
        RESULT receiver=perf target=40000 achieved=40006 kept_up=yes samples=800000 requests=1600/1600 errors=0 p50_ms=20.2 p99_ms=92.0 elapsed_s=20.0 cpu_s=23.2 cpu_s_per_million=29.0 rss_mb=350 rss_mb_per_million=437.5
        RESULT receiver=prometheus target=40000 achieved=40018 kept_up=yes samples=800000 requests=1600/1600 errors=0 p50_ms=3.0 p99_ms=6.0 elapsed_s=20.0 cpu_s=2.8 cpu_s_per_million=3.5 rss_mb=120 rss_mb_per_million=150.0
        RESULT receiver=prometheus target=80000 achieved=80015 kept_up=yes samples=1600000 requests=3200/3200 errors=0 p50_ms=3.1 p99_ms=6.4 elapsed_s=20.0 cpu_s=4.8 cpu_s_per_million=3.0 rss_mb=130 rss_mb_per_million=81.3
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "perf-chart-tests-" + Guid.NewGuid().ToString("N"));

    public RemoteWriteChartTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_measured_runs_are_read_and_warm_ups_and_other_lines_left_out()
    {
        var runs = RemoteWriteChart.Parse(Results.Split('\n'));

        Assert.Equal(
        [
            new("perf", 80000, 67688, false, 26.9), new("perf", 40000, 40006, true, 29.0),
            new("prometheus", 40000, 40018, true, 3.5), new("prometheus", 80000, 80015, true, 3.0),
        ], runs);
    }

    [Fact]
    public async Task The_command_draws_one_line_per_receiver_with_its_CPU_cost_into_an_SVG_file()
    {
        var input = Path.Combine(_root, "results.txt");
        await File.WriteAllTextAsync(input, Results, TestContext.Current.CancellationToken);
        var svg = Path.Combine(_root, "chart.svg");

        var (exitCode, output, error) = await CliRunner.RunAsync($"bench chart {input} --output {svg} --title \"10,000 series\"");

        Assert.True(exitCode == 0, error);
        Assert.Contains("4 runs of 2 receivers", output);
        var text = string.Concat(XDocument.Load(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value + "|"));
        Assert.Contains("10,000 series", text);
        Assert.Contains("perf (26.9-29 CPU s per million samples)", text);
        Assert.Contains("prometheus (3-3.5 CPU s per million samples)", text);
        Assert.Contains("samples/s achieved", text);
    }

    [Fact]
    public async Task Input_without_remote_write_results_is_refused()
    {
        var input = Path.Combine(_root, "empty.txt");
        await File.WriteAllTextAsync(input, "RESULT {\"accepted_points\":1}\n", TestContext.Current.CancellationToken);

        var (exitCode, _, error) = await CliRunner.RunAsync($"bench chart {input} --output {Path.Combine(_root, "chart.svg")}");

        Assert.Equal(1, exitCode);
        Assert.Contains("no RESULT receiver=", error);
        Assert.False(File.Exists(Path.Combine(_root, "chart.svg")));
    }
}
