using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Perf.Cli.Display;
using Perf.Cli.Load;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf report</c>: asks the engine for a report (<c>POST /api/v1/performance/reports</c>), follows the job with a
/// progress bar until it is done, and downloads the file. Exit code 0 only when the file was written.
/// </summary>
public sealed class ReportCommand : Command
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public ReportCommand()
        : base("report", "Generate a report on the engine (PDF, HTML, CSV or JSON) and download it.")
    {
        Options.Add(UrlOption);
        Options.Add(TypeOption);
        Options.Add(RangeOption);
        Options.Add(MetricsOption);
        Options.Add(HostsOption);
        Options.Add(FormatOption);
        Options.Add(NoGraphsOption);
        Options.Add(OutputOption);
        Options.Add(TimeoutOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(PlainOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<string> TypeOption { get; } = Choice("--type", "performance_summary", "What the report is about.", "performance_summary", "trend", "anomaly", "capacity");

    public Option<string> RangeOption { get; } = new("--range")
    {
        Description = "How far back the report reaches, e.g. 24h or 7d.",
        HelpName = "DURATION",
        DefaultValueFactory = _ => "24h",
    };

    public Option<string> MetricsOption { get; } = new("--metrics")
    {
        Description = "Comma-separated metrics: document names (cpu_usage, memory_usage) or series names (disk.used).",
        HelpName = "LIST",
        Required = true,
    };

    public Option<string?> HostsOption { get; } = new("--hosts")
    {
        Description = "Comma-separated hosts (default: every host the engine knows).",
        HelpName = "LIST",
    };

    public Option<string> FormatOption { get; } = Choice("--format", "pdf", "File format.", "pdf", "html", "csv", "json");

    public Option<bool> NoGraphsOption { get; } = new("--no-graphs") { Description = "Leave the charts out of a PDF or HTML report." };

    public Option<FileInfo?> OutputOption { get; } = new("--output", "-o")
    {
        Description = "Where to write the report (default: report-ID.FORMAT in the current directory).",
        HelpName = "FILE",
    };

    public DurationOption TimeoutOption { get; } = new("--timeout", TimeSpan.FromMinutes(10), "Give up when the report is not done after this long.");

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    /// <summary>The request body the options make (tests check it).</summary>
    public JsonObject ReadRequest(ParseResult parseResult)
    {
        var request = new JsonObject
        {
            ["report_type"] = parseResult.GetRequiredValue(TypeOption),
            ["time_range"] = parseResult.GetRequiredValue(RangeOption),
            ["metrics"] = new JsonArray([.. List(parseResult.GetRequiredValue(MetricsOption)).Select(m => (JsonNode?)m)]),
            ["format"] = parseResult.GetRequiredValue(FormatOption),
            ["include_graphs"] = !parseResult.GetValue(NoGraphsOption),
        };
        if (parseResult.GetValue(HostsOption) is { } hosts) request["hosts"] = new JsonArray([.. List(hosts).Select(h => (JsonNode?)h)]);
        return request;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output, parseResult.GetValue(PlainOption));
        var error = parseResult.InvocationConfiguration.Error;
        var url = parseResult.GetRequiredValue(UrlOption);
        using var http = BenchHttpClientFactory.Create(url, 2, parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeoutOption.GetDuration(parseResult));
        try
        {
            using var created = await http.PostAsJsonAsync("api/v1/performance/reports", ReadRequest(parseResult), timeout.Token).ConfigureAwait(false);
            var body = await created.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (created.StatusCode != HttpStatusCode.Accepted)
            {
                await error.WriteLineAsync($"perf report: the engine refused the request ({(int)created.StatusCode}): {Formatting.ProblemDetail(body)}").ConfigureAwait(false);
                return 2;
            }
            var job = JsonNode.Parse(body)!;
            var id = job["id"]!.GetValue<string>();
            await console.Plain.WriteLineAsync($"perf report: report {id} queued on {url}").ConfigureAwait(false);

            var status = await new ReportProgressView(console).FollowAsync(
                token => StatusAsync(http, job["links"]!["self"]!.GetValue<string>(), token), PollInterval, timeout.Token).ConfigureAwait(false);
            if (status["status"]!.GetValue<string>() != "done")
            {
                await error.WriteLineAsync($"perf report: report {id} {status["status"]}: {status["error"]}").ConfigureAwait(false);
                return 1;
            }

            var output = parseResult.GetValue(OutputOption) ?? new FileInfo($"report-{id}.{parseResult.GetRequiredValue(FormatOption)}");
            using var content = await http.GetAsync(job["links"]!["content"]!.GetValue<string>().TrimStart('/'), HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            if (!content.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"perf report: download failed ({(int)content.StatusCode}): {Formatting.ProblemDetail(await content.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false))}")
                    .ConfigureAwait(false);
                return 1;
            }
            await using (var file = output.Create())
                await content.Content.CopyToAsync(file, timeout.Token).ConfigureAwait(false);
            await console.Plain.WriteLineAsync($"perf report: wrote {output.FullName} ({new FileInfo(output.FullName).Length:N0} bytes)").ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"perf report: not done after {Formatting.Seconds(TimeoutOption.GetDuration(parseResult))}").ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"perf report: cannot reach {url}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<JsonNode> StatusAsync(HttpClient http, string self, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(self.TrimStart('/'), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))!;
    }


    private static string[] List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Option<string> Choice(string name, string defaultValue, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, HelpName = string.Join("|", values), DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
