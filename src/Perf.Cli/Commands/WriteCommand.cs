using System.CommandLine;
using System.Text;
using System.Text.Json;
using Perf.Cli.Display;
using Perf.Cli.Load;
using Perf.Cli.Write;
using Perf.Protocols.LineProtocol;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf write</c>, like <c>influx write</c>: sends a file (or standard input) of line protocol, <c>timestamp,value</c>
/// CSV for one host and metric, or the product document's JSON to a running node, in batches, with a progress bar and a
/// summary. With <c>--dry-run</c> it only decodes and prints every point as a JSON line. The input is checked whole
/// before anything is sent: an invalid line stops the command (exit code 1) naming the line and the reason.
/// Exit codes: 0 everything stored; 1 invalid input, or the node refused some of it; 2 the node could not be reached or
/// refused the credentials.
/// </summary>
public sealed class WriteCommand : Command
{
    public WriteCommand()
        : base("write", "Write line protocol, CSV or JSON metrics to the engine (or decode them with --dry-run).")
    {
        Arguments.Add(FileArgument);
        Options.Add(FormatOption);
        Options.Add(PrecisionOption);
        Options.Add(DefaultTimeOption);
        Options.Add(HostOption);
        Options.Add(MetricOption);
        Options.Add(DryRunOption);
        Options.Add(BatchOption);
        Options.Add(UrlOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(PlainOption);
        Validators.Add(result =>
        {
            var format = FormatOf(result.GetResult(FormatOption), result.GetValue(FormatOption)!, result.GetValue(FileArgument));
            if (format == "csv" && (result.GetValue(HostOption) is null || result.GetValue(MetricOption) is null))
                result.AddError("--format csv needs --host and --metric.");
            if (format == "csv" && result.GetValue(MetricOption) is { } metric && (metric.IndexOf('.') <= 0 || metric.EndsWith('.')))
                result.AddError("--metric must be group.field, e.g. cpu.usage (the JSON document's series names).");
            if (format == "json" && result.GetValue(DryRunOption))
                result.AddError("--dry-run decodes line-protocol and csv input; JSON is decoded by the node.");
        });
        SetAction(RunAsync);
    }

    public Argument<string?> FileArgument { get; } = new("file")
    {
        Description = "The file to send; standard input when left out or '-'.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string> FormatOption { get; } = Choice("--format", "line-protocol",
        "Input format; without it, from the file's extension (.json, .csv), else line-protocol.", "line-protocol", "csv", "json");

    public Option<string> PrecisionOption { get; } = Choice("--precision", "ns", "Unit of the line protocol timestamps.", "ns", "us", "ms", "s");

    public Option<long?> DefaultTimeOption { get; } = new("--default-time")
    {
        Description = "Time (Unix nanoseconds) of lines without a timestamp, for --dry-run [default: now]. When sending, the node stamps them on arrival.",
        HelpName = "NS",
    };

    public Option<string?> HostOption { get; } = new("--host") { Description = "Host of the CSV samples.", HelpName = "HOST" };

    public Option<string?> MetricOption { get; } = new("--metric") { Description = "Series of the CSV samples, group.field (e.g. cpu.usage).", HelpName = "METRIC" };

    public Option<bool> DryRunOption { get; } = new("--dry-run") { Description = "Only decode: print each point as a JSON line and send nothing." };

    public Option<int> BatchOption { get; } = BenchOptionFactory.PositiveInt("--batch-size", 5000, "Points (lines, or JSON objects) per request.", "N");

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> PlainOption { get; } = BenchOptionFactory.Plain();

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var format = FormatOf(parseResult.GetResult(FormatOption), parseResult.GetRequiredValue(FormatOption), parseResult.GetValue(FileArgument));
        byte[] input;
        try
        {
            input = await ReadInputAsync(parseResult.GetValue(FileArgument), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync("perf write: " + e.Message).ConfigureAwait(false);
            return 2;
        }

        if (format == "json") return await SendJsonAsync(parseResult, input, cancellationToken).ConfigureAwait(false);

        var precision = parseResult.GetRequiredValue(PrecisionOption);
        if (format == "csv")
        {
            using var reader = new StringReader(Encoding.UTF8.GetString(input));
            var (text, csvErrors) = CsvSamples.ToLineProtocol(reader, parseResult.GetValue(HostOption)!, parseResult.GetValue(MetricOption)!);
            if (csvErrors.Count > 0)
            {
                foreach (var problem in csvErrors.Take(20)) await error.WriteLineAsync("perf write: " + problem).ConfigureAwait(false);
                return 1;
            }
            input = Encoding.UTF8.GetBytes(text);
            precision = "ns";
        }

        TimePrecision.TryParse(precision, out var unit);
        var defaultTime = parseResult.GetValue(DefaultTimeOption) ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var decoded = LineProtocolDecoder.Decode(input, unit, defaultTime);
        if (parseResult.GetValue(DryRunOption))
        {
            foreach (var point in decoded.Points) await output.WriteLineAsync(LinePointJson.Format(point)).ConfigureAwait(false);
        }
        if (decoded.ErrorCount > 0)
        {
            foreach (var problem in decoded.Errors.Take(20)) await error.WriteLineAsync($"perf write: invalid input: {problem}").ConfigureAwait(false);
            if (decoded.ErrorCount > 20) await error.WriteLineAsync($"perf write: ... {decoded.ErrorCount} invalid lines in all").ConfigureAwait(false);
            if (!parseResult.GetValue(DryRunOption)) await error.WriteLineAsync("perf write: nothing was sent").ConfigureAwait(false);
            return 1;
        }
        if (parseResult.GetValue(DryRunOption)) return 0;

        var batches = WriteBatches.Split(input, decoded.Points, parseResult.GetValue(BatchOption));
        return await SendAsync(parseResult, batches, $"write?precision={precision}", "text/plain; charset=utf-8", json: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> SendJsonAsync(ParseResult parseResult, byte[] input, CancellationToken cancellationToken)
    {
        var error = parseResult.InvocationConfiguration.Error;
        List<string> samples;
        try
        {
            samples = JsonSamples(input);
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"perf write: invalid input: not JSON (line {e.LineNumber + 1}): {e.Message}").ConfigureAwait(false);
            return 1;
        }
        var size = parseResult.GetValue(BatchOption);
        var batches = samples.Chunk(size)
            .Select(chunk => ((ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes("[" + string.Join(",", chunk) + "]"), chunk.Length))
            .ToList();
        return await SendAsync(parseResult, batches, "api/v1/performance/metrics", "application/json", json: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The document's samples: one object, an array of them, or one object per line (JSON lines).</summary>
    private static List<string> JsonSamples(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input).Trim();
        if (text.StartsWith('['))
        {
            using var array = JsonDocument.Parse(text);
            return array.RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList();
        }
        var samples = new List<string>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            samples.Add(document.RootElement.GetRawText());
        }
        return samples;
    }

    private async Task<int> SendAsync(ParseResult parseResult, IReadOnlyList<(ReadOnlyMemory<byte> Body, int Points)> batches, string path, string contentType, bool json,
        CancellationToken cancellationToken)
    {
        var console = BenchConsole.For(parseResult.InvocationConfiguration.Output, parseResult.GetValue(PlainOption));
        var error = parseResult.InvocationConfiguration.Error;
        var url = parseResult.GetRequiredValue(UrlOption);
        using var http = BenchHttpClientFactory.Create(url, 1, parseResult.GetValue(ApiKeyOption), parseResult.GetRequiredValue(ApiKeyHeaderOption));
        http.Timeout = TimeSpan.FromMinutes(2);
        WriteOutcome outcome;
        try
        {
            outcome = await new WriteSender(http, console, error).SendAsync(batches, path, contentType, json, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"perf write: cannot reach {url}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"perf write: {url} did not answer in time").ConfigureAwait(false);
            return 2;
        }
        var seconds = Math.Max(outcome.Elapsed.TotalSeconds, 1e-3);
        await console.Plain.WriteLineAsync(
            $"perf write: {Formatting.Count(outcome.PointsStored)} points stored, {Formatting.Count(outcome.PointsRejected)} rejected, in {outcome.Requests} requests, " +
            $"{Formatting.Seconds(outcome.Elapsed)} ({Formatting.Rate(outcome.PointsSent / seconds)} points/s)").ConfigureAwait(false);
        if (outcome.Problems.Any(p => p.StartsWith("401", StringComparison.Ordinal) || p.StartsWith("403", StringComparison.Ordinal))) return 2;
        return outcome.PointsRejected > 0 || outcome.Problems.Count > 0 ? 1 : 0;
    }

    private static async Task<byte[]> ReadInputAsync(string? file, CancellationToken cancellationToken)
    {
        if (file is null or "-")
        {
            using var buffer = new MemoryStream();
            await using var stdin = Console.OpenStandardInput();
            await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        if (!File.Exists(file)) throw new FileNotFoundException($"no such file: {file}");
        return await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>--format when given; otherwise what the file's extension says (a .json file is not line protocol).</summary>
    private static string FormatOf(System.CommandLine.Parsing.OptionResult? given, string format, string? file)
    {
        if (given is { Implicit: false }) return format;
        return Path.GetExtension(file ?? "").ToLowerInvariant() switch
        {
            ".json" => "json",
            ".csv" => "csv",
            _ => format,
        };
    }

    private static Option<string> Choice(string name, string defaultValue, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, HelpName = string.Join("|", values), DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
