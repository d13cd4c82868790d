using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Perf.Cli.Commands;
using Perf.Cli.Tests.Support;

namespace Perf.Cli.Tests;

/// <summary><c>perf report</c> against a fake engine that plays a job through queued, running and its end.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("perf-report-cli-");

    private static FakeEngineServer Engine(string end, List<JsonNode> requests, int createStatus = 202)
    {
        var polls = 0;
        return FakeEngineServer.Start(async context =>
        {
            var (request, response) = (context.Request, context.Response);
            var path = request.Url!.AbsolutePath;
            if (request.HttpMethod == "POST" && path == "/api/v1/performance/reports")
            {
                using var reader = new StreamReader(request.InputStream);
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
                lock (requests) requests.Add(body);
                await WriteAsync(response, createStatus, createStatus == 202
                    ? """{"id": "r1", "status": "queued", "progress": 0, "links": {"self": "/api/v1/reports/r1", "content": "/api/v1/reports/r1/content"}}"""
                    : """{"title": "Invalid report request", "status": 422, "detail": "format: must be one of pdf, html, csv, json", "field": "format"}""");
            }
            else if (path == "/api/v1/reports/r1")
                await WriteAsync(response, 200, Interlocked.Increment(ref polls) < 3
                    ? """{"id": "r1", "status": "running", "progress": 0.5}"""
                    : $$"""{"id": "r1", "status": "{{end}}", "progress": 1, "error": {{(end == "done" ? "null" : "\"boom\"")}}}""");
            else if (path == "/api/v1/reports/r1/content")
                await WriteAsync(response, 200, "%PDF-1.4 fake", "application/pdf");
            else await WriteAsync(response, 404, "{}");
        });
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string body, string type = "application/json")
    {
        response.StatusCode = status;
        response.ContentType = type;
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
        response.Close();
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(FakeEngineServer server, string arguments) =>
        CliRunner.RunAsync($"report --url {server.BaseUrl} {arguments}");

    [Fact]
    public async Task Creates_the_job_follows_it_and_downloads_the_file()
    {
        var requests = new List<JsonNode>();
        await using var server = Engine("done", requests);
        var file = Path.Combine(_directory.FullName, "out.pdf");

        var (exitCode, output, error) = await RunAsync(server,
            $"--type trend --range 7d --metrics cpu_usage,memory_usage --hosts a,b --format pdf --output {file}");

        Assert.True(exitCode == 0, output + error);
        Assert.Equal("%PDF-1.4 fake", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        var request = Assert.Single(requests);
        Assert.Equal("""{"report_type":"trend","time_range":"7d","metrics":["cpu_usage","memory_usage"],"format":"pdf","include_graphs":true,"hosts":["a","b"]}""",
            request.ToJsonString());
        Assert.Contains("running 50%", output);
        Assert.Contains("done 100%", output);
    }

    [Fact]
    public async Task A_failed_job_exits_non_zero_with_its_error()
    {
        await using var server = Engine("failed", []);
        var (exitCode, _, error) = await RunAsync(server, $"--metrics cpu_usage --output {Path.Combine(_directory.FullName, "x.pdf")}");
        Assert.Equal(1, exitCode);
        Assert.Contains("boom", error);
    }

    [Fact]
    public async Task A_refused_request_exits_non_zero_with_the_engines_reason()
    {
        await using var server = Engine("done", [], createStatus: 422);
        var (exitCode, _, error) = await RunAsync(server, "--metrics cpu_usage");
        Assert.Equal(2, exitCode);
        Assert.Contains("format: must be one of", error);
    }

    [Fact]
    public void An_unknown_format_is_a_parse_error()
    {
        var result = new PerfRootCommand().Parse("report --metrics cpu_usage --format docx");
        Assert.NotEmpty(result.Errors);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
