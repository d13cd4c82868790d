using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using Perf.Cli.Commands;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

/// <summary>Runs the real commands, output and all, against the in-test server.</summary>
public sealed class BenchCommandEndToEndTests
{
    [Fact]
    public async Task Ingest_prints_a_summary_table_and_a_result_line_with_the_engine_gauges()
    {
        var endpoint = new RecordingIngestEndpoint(throttledRequests: 1);
        await using var server = FakeEngineServer.Start(async context =>
        {
            if (context.Request.Url!.AbsolutePath == "/metrics")
            {
                await WriteTextAsync(context.Response, """
                    # TYPE perf_process_resident_memory_bytes gauge
                    perf_process_resident_memory_bytes 2.4e+07
                    # TYPE perf_series_active gauge
                    perf_series_active 12
                    """);
                return;
            }

            await endpoint.HandleAsync(context);
        });
        var output = new StringWriter();

        var exitCode = await new PerfRootCommand()
            .Parse($"bench ingest --url {server.BaseUrl} --hosts 3 --metrics 4 --batch-points 6 --concurrency 2 " +
                   "--points 240 --duration 30s")
            .InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.Equal(0, exitCode);
        Assert.Contains("accepted points", text);
        var resultLine = Assert.Single(text.Split('\n'), line => line.StartsWith("RESULT ", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(resultLine["RESULT ".Length..]);
        var root = json.RootElement;
        Assert.Equal(240, root.GetProperty("accepted_points").GetInt64());
        Assert.Equal(1, root.GetProperty("retries_429").GetInt64());
        Assert.Equal(12, root.GetProperty("series").GetInt64());
        Assert.Equal(24_000_000, root.GetProperty("rss_bytes").GetInt64());
        Assert.Equal(12, root.GetProperty("active_series").GetInt64());
        Assert.Equal(2_000_000, root.GetProperty("rss_per_series_bytes").GetInt64());
    }

    [Fact]
    public async Task Recovery_exits_zero_when_every_series_answered()
    {
        await using var server = FakeEngineServer.Start(context =>
        {
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            return Task.CompletedTask;
        });
        var output = new StringWriter();

        var exitCode = await new PerfRootCommand()
            .Parse($"bench recovery --url {server.BaseUrl} --hosts 4 --metrics 5 --concurrency 8 --timeout 30s")
            .InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        var resultLine = Assert.Single(output.ToString().Split('\n'), line => line.StartsWith("RESULT ", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(resultLine["RESULT ".Length..]);
        Assert.Equal(20, json.RootElement.GetProperty("answered").GetInt64());
        Assert.Equal(20, json.RootElement.GetProperty("series").GetInt64());
    }

    private static async Task WriteTextAsync(HttpListenerResponse response, string text)
    {
        response.StatusCode = 200;
        response.ContentType = "text/plain; version=0.0.4";
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
    }
}
