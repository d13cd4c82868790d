using System.CommandLine;
using System.Reflection;
using Perf.Cli.Commands;

namespace Perf.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Ingest_options_are_read_from_the_command_line()
    {
        var root = new PerfRootCommand();
        var parse = root.Parse(
            "bench ingest --url http://127.0.0.1:5999 --hosts 7 --metrics 3 --rate 25000 --duration 2m " +
            "--batch-points 500 --concurrency 4 --points 1000 --request-timeout 5s --api-key secret");

        Assert.Empty(parse.Errors);
        var options = root.Bench.Ingest.ReadOptions(parse);
        Assert.Equal(new Uri("http://127.0.0.1:5999"), options.BaseUrl);
        Assert.Equal(7, options.Hosts);
        Assert.Equal(3, options.Metrics);
        Assert.Equal(25000, options.PointsPerSecond);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
        Assert.Equal(500, options.BatchPoints);
        Assert.Equal(4, options.Concurrency);
        Assert.Equal(1000, options.MaxPoints);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
        Assert.Equal("secret", parse.GetValue(root.Bench.Ingest.ApiKeyOption));
    }

    [Fact]
    public void Ingest_defaults_apply_when_options_are_left_out()
    {
        var root = new PerfRootCommand();
        var parse = root.Parse("bench ingest");

        Assert.Empty(parse.Errors);
        var options = root.Bench.Ingest.ReadOptions(parse);
        Assert.Equal(new Uri("http://127.0.0.1:5080"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Duration);
        Assert.Equal(1000, options.BatchPoints);
        Assert.Equal(16, options.Concurrency);
        Assert.Equal(0, options.PointsPerSecond);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1m30s", 90)]
    public void Recovery_timeout_reads_durations(string text, int expectedSeconds)
    {
        var root = new PerfRootCommand();
        var parse = root.Parse($"bench recovery --hosts 2 --metrics 2 --concurrency 32 --timeout {text}");

        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), root.Bench.Recovery.ReadOptions(parse).Timeout);
    }

    [Theory]
    [InlineData("bench ingest --duration 3x")]
    [InlineData("bench ingest --hosts 0")]
    [InlineData("bench ingest --rate -1")]
    [InlineData("bench ingest --url ftp://example")]
    [InlineData("bench recovery --timeout 0")]
    [InlineData("bench ingest --points -5")]
    [InlineData("bench ingest --concurrency 0")]
    public void Invalid_values_are_parse_errors(string commandLine)
    {
        Assert.NotEmpty(new PerfRootCommand().Parse(commandLine).Errors);
    }

    [Fact]
    public async Task Version_option_prints_a_version()
    {
        var output = new StringWriter();
        var exitCode = await new PerfRootCommand().Parse("--version")
            .InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        // In a test the entry assembly is the test host, so only check that a version was printed;
        // the perf assembly itself carries the project's version.
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.ToString().Trim());
        var perfVersion = typeof(PerfRootCommand).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.StartsWith("0.1.0", perfVersion);
    }

    [Fact]
    public async Task Help_lists_the_bench_commands()
    {
        var output = new StringWriter();
        await new PerfRootCommand().Parse("bench --help")
            .InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        Assert.Contains("ingest", output.ToString());
        Assert.Contains("recovery", output.ToString());
    }
}
