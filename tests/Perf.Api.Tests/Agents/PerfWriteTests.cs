using System.Globalization;
using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Agents;

/// <summary><c>perf write</c> against a real node, in every input format.</summary>
public sealed class PerfWriteTests(DefaultNode fixture) : IClassFixture<DefaultNode>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("perf-write-e2e").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] Connection => ["--url", fixture.Node.BaseAddress.ToString(), "--api-key", PerfNodeProcess.AdminKey, "--plain"];

    [Fact]
    public async Task Line_protocol_is_sent_in_batches_and_every_point_is_stored()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-90).ToUnixTimeSeconds(); // 4,000 seconds of data
        var text = new StringBuilder();
        for (var i = 0; i < 12_000; i++) text.Append(CultureInfo.InvariantCulture, $"sensor,host=pw-lp,room=r{i % 3} temperature={20 + i % 7}.5 {start + i / 3}\n");
        var file = Path.Combine(_directory, "sensors.lp");
        await File.WriteAllTextAsync(file, text.ToString(), TestContext.Current.CancellationToken);

        var (exitCode, output, error) = await PerfCli.RunAsync(["write", file, "--precision", "s", "--batch-size", "5000", .. Connection]);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("12,000 points stored, 0 rejected, in 3 requests", output, StringComparison.Ordinal);
        var state = await fixture.Client.GetJsonAsync($"/api/v1/series/pw-lp/{Uri.EscapeDataString("sensor.temperature{room=\"r1\"}")}/state");
        Assert.Equal(4_000, state["point_count"]!.GetValue<long>());
    }

    [Fact]
    public async Task Invalid_line_protocol_sends_nothing_and_exits_1_naming_the_line()
    {
        var file = Path.Combine(_directory, "bad.lp");
        await File.WriteAllTextAsync(file, "cpu,host=pw-bad usage=1\ncpu,host=pw-bad usage=\n", TestContext.Current.CancellationToken);

        var (exitCode, _, error) = await PerfCli.RunAsync(["write", file, .. Connection]);

        Assert.Equal(1, exitCode);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
        await (await fixture.Client.GetAsync("/api/v1/hosts/pw-bad")).ExpectProblemAsync(HttpStatusCode.NotFound, "host");
    }

    [Fact]
    public async Task Csv_and_json_reach_their_series()
    {
        var t = DateTimeOffset.UtcNow.AddMinutes(-5);
        var csv = Path.Combine(_directory, "cpu.csv");
        await File.WriteAllTextAsync(csv, $"timestamp,value\n{NodeApi.Iso(t)},45.5\n{NodeApi.Iso(t.AddSeconds(30))},47\n", TestContext.Current.CancellationToken);
        var json = Path.Combine(_directory, "samples.json");
        await File.WriteAllTextAsync(json,
            $"{{\"host\": \"pw-json\", \"timestamp\": \"{NodeApi.Iso(t)}\", \"metrics\": {{\"cpu\": {{\"usage\": 10}}}}}}\n" +
            $"{{\"host\": \"pw-json\", \"timestamp\": \"{NodeApi.Iso(t.AddSeconds(30))}\", \"metrics\": {{\"cpu\": {{\"usage\": 20}}}}}}\n", TestContext.Current.CancellationToken);

        var fromCsv = await PerfCli.RunAsync(["write", csv, "--format", "csv", "--host", "pw-csv", "--metric", "cpu.usage", .. Connection]);
        var fromJson = await PerfCli.RunAsync(["write", json, .. Connection]); // JSON by its extension, without --format

        Assert.True(fromCsv.ExitCode == 0, fromCsv.Output + fromCsv.Error);
        Assert.True(fromJson.ExitCode == 0, fromJson.Output + fromJson.Error);
        Assert.Contains("2 points stored", fromJson.Output, StringComparison.Ordinal);
        Assert.Equal([45.5, 47.0], (await fixture.Client.GetJsonAsync("/api/v1/series/pw-csv/cpu.usage?start=" + Uri.EscapeDataString(NodeApi.Iso(t.AddMinutes(-1)))))["points"]!
            .AsArray().Select(p => p!["value"]!.GetValue<double>()));
        Assert.Equal([10.0, 20.0], (await fixture.Client.GetJsonAsync("/api/v1/series/pw-json/cpu.usage?start=" + Uri.EscapeDataString(NodeApi.Iso(t.AddMinutes(-1)))))["points"]!
            .AsArray().Select(p => p!["value"]!.GetValue<double>()));
    }

    [Fact]
    public async Task A_wrong_key_exits_2()
    {
        var file = Path.Combine(_directory, "one.lp");
        await File.WriteAllTextAsync(file, "cpu,host=pw-key usage=1\n", TestContext.Current.CancellationToken);

        var (exitCode, _, error) = await PerfCli.RunAsync(["write", file, "--url", fixture.Node.BaseAddress.ToString(), "--api-key", "perf_000000000000_wrong", "--plain"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("401", error, StringComparison.Ordinal);
    }
}
