using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Perf.Cli.Display;
using Perf.Cli.Load;
using Spectre.Console;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf loadtest</c>: starts a load test on the engine (<c>POST /api/v1/performance/loadtests</c>), shows its live
/// figures until it ends, and prints the summary (totals, latency percentiles, status codes, the knee). Ctrl+C cancels
/// the test on the engine, then prints what it got. Exit code 0 when the test completed, 1 when it did not (cancelled,
/// failed, interrupted), 2 when the engine refused it or could not be reached.
/// </summary>
public sealed class LoadTestCommand : Command
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly string[] Ended = ["completed", "cancelled", "failed", "interrupted"];

    public LoadTestCommand()
        : base("loadtest", "Run a load test from the engine against a target and show its live figures and summary.")
    {
        Options.Add(UrlOption);
        Options.Add(TargetOption);
        Options.Add(MethodOption);
        Options.Add(HeaderOption);
        Options.Add(BodyOption);
        Options.Add(RateOption);
        Options.Add(ConcurrencyOption);
        Options.Add(DurationOption);
        Options.Add(RampUpOption);
        Options.Add(TargetHostOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(PlainOption);
        Validators.Add(result =>
        {
            var rate = result.GetValue(RateOption);
            var concurrency = result.GetValue(ConcurrencyOption);
            if (rate is null == concurrency is null) result.AddError("Give either --rate or --concurrency.");
        });
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<string> TargetOption { get; } = new("--target") { Description = "The URL to load (must be on the engine's allow-list).", HelpName = "URL", Required = true };

    public Option<string> MethodOption { get; } = new("--method") { Description = "HTTP method of every request.", HelpName = "METHOD", DefaultValueFactory = _ => "GET" };

    public Option<string[]> HeaderOption { get; } = new("--header", "-H")
    {
        Description = "A request header as 'Name: value' (repeatable).",
        HelpName = "HEADER",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> BodyOption { get; } = new("--body") { Description = "Request body sent with every request.", HelpName = "TEXT" };

    public Option<int?> RateOption { get; } = new("--rate") { Description = "Requests per second (reached at the end of the ramp).", HelpName = "N" };

    public Option<int?> ConcurrencyOption { get; } = new("--concurrency") { Description = "Requests kept in flight (instead of a rate).", HelpName = "N" };

    public Option<string> DurationOption { get; } = new("--duration") { Description = "How long the test runs, e.g. 30s or 5m.", HelpName = "DURATION", DefaultValueFactory = _ => "30s" };

    public Option<string> RampUpOption { get; } = new("--ramp-up") { Description = "How long the load takes to reach its level.", HelpName = "DURATION", DefaultValueFactory = _ => "0s" };

    public Option<string?> TargetHostOption { get; } = new("--target-host") { Description = "The monitored host behind the target, for the profile.", HelpName = "HOST" };

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    /// <summary>The request body the options make (tests check it).</summary>
    public JsonObject ReadRequest(ParseResult parseResult)
    {
        var request = new JsonObject
        {
            ["target_url"] = parseResult.GetRequiredValue(TargetOption),
            ["method"] = parseResult.GetRequiredValue(MethodOption),
            ["duration"] = parseResult.GetRequiredValue(DurationOption),
            ["ramp_up"] = parseResult.GetRequiredValue(RampUpOption),
        };
        if (parseResult.GetValue(RateOption) is { } rate) request["rate"] = rate;
        if (parseResult.GetValue(ConcurrencyOption) is { } concurrency) request["concurrency"] = concurrency;
        if (parseResult.GetValue(BodyOption) is { } body) request["body"] = body;
        if (parseResult.GetValue(TargetHostOption) is { } host) request["target_host"] = host;
        var headers = new JsonObject();
        foreach (var header in parseResult.GetValue(HeaderOption) ?? [])
        {
            var colon = header.IndexOf(':');
            if (colon > 0) headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }
        if (headers.Count > 0) request["headers"] = headers;
        return request;
    }

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output, parseResult.GetValue(PlainOption));
        var error = parseResult.InvocationConfiguration.Error;
        var url = parseResult.GetRequiredValue(UrlOption);
        using var http = BenchHttpClientFactory.Create(url, 2, parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        JsonNode job;
        try
        {
            using var started = await http.PostAsJsonAsync("api/v1/performance/loadtests", ReadRequest(parseResult), cancellationToken).ConfigureAwait(false);
            var body = await started.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (started.StatusCode != HttpStatusCode.Accepted)
            {
                await error.WriteLineAsync($"perf loadtest: the engine refused the test ({(int)started.StatusCode}): {Formatting.ProblemDetail(body)}").ConfigureAwait(false);
                return 2;
            }
            job = JsonNode.Parse(body)!;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"perf loadtest: cannot reach {url}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        var self = job["links"]!["self"]!.GetValue<string>().TrimStart('/');
        await console.Plain.WriteLineAsync($"perf loadtest: test {job["id"]} running on {url}; its series are under host {job["host"]}").ConfigureAwait(false);

        var status = await FollowAsync(console, http, self, cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the load is the engine's; stop it there, then show what it measured.
            using var cancel = await http.DeleteAsync(self, CancellationToken.None).ConfigureAwait(false);
            status = await FollowAsync(console, http, self, CancellationToken.None).ConfigureAwait(false);
        }
        await console.Plain.WriteLineAsync(Summary(status)).ConfigureAwait(false);
        return status["status"]?.GetValue<string>() == "completed" ? 0 : 1;
    }

    /// <summary>Polls the test until it ends or <paramref name="stop"/> is cancelled; its last status.</summary>
    private static async Task<JsonNode> FollowAsync(BenchConsole console, HttpClient http, string self, CancellationToken stop)
    {
        JsonNode last = await StatusAsync(http, self).ConfigureAwait(false);
        var shownSecond = "";
        while (!Ended.Contains(last["status"]?.GetValue<string>()) && !stop.IsCancellationRequested)
        {
            var live = last["live"];
            var second = live?["second"]?.GetValue<string>() ?? "";
            if (live is not null && second != shownSecond)
            {
                shownSecond = second;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{last["progress"]!.GetValue<double>() * 100,5:0}%  level {live["level"]}  {live["responses"]} responses/s  {live["errors"]} errors  " +
                    $"p50 {live["latency_p50_ms"]} ms  p99 {live["latency_p99_ms"]} ms");
                if (console.Live) console.Rich.MarkupLine(Markup.Escape(line));
                else await console.Plain.WriteLineAsync("perf loadtest: " + line).ConfigureAwait(false);
            }
            try { await Task.Delay(PollInterval, stop).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            last = await StatusAsync(http, self).ConfigureAwait(false);
        }
        return last;
    }

    private static async Task<JsonNode> StatusAsync(HttpClient http, string self)
    {
        using var response = await http.GetAsync(self).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false))!;
    }

    /// <summary>The summary as a reader wants it: one block of aligned lines.</summary>
    public static string Summary(JsonNode status)
    {
        var s = status["summary"]!;
        var latency = s["latency_ms"]!;
        var codes = s["status_codes"]?.AsObject().Select(p => $"{p.Key}: {p.Value}") ?? [];
        var knee = s["knee"] is { } k ? $"at {k["rate"]} requests/s ({k["reason"]}, {k["at"]})" : "none found";
        return string.Join(Environment.NewLine,
            $"perf loadtest: {status["status"]} {status["id"]}" + (status["error"] is { } e ? $": {e}" : ""),
            $"  requests    {s["requests"]} sent, {s["responses"]} answered, {s["errors"]} errors ({(s["error_rate"]?.GetValue<double>() ?? 0) * 100:0.##}%)",
            $"  throughput  {s["throughput"]} responses/s, peak {s["peak_throughput"]}",
            $"  latency     p50 {latency["p50"]} ms, p95 {latency["p95"]} ms, p99 {latency["p99"]} ms, max {latency["max"]} ms",
            $"  status      {string.Join(", ", codes)}",
            $"  knee        {knee}");
    }

}
