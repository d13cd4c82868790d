using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Perf.Cli.Load;
using Spectre.Console;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf cluster status</c>: <c>GET /api/v1/cluster</c> as a table, one row per member: roles, status, reachability,
/// and the series and host shards and entities it hosts. Exit code 0 when every member is up and reachable, 1 when one
/// is not, 2 when the engine cannot be asked.
/// </summary>
public sealed class ClusterStatusCommand : Command
{
    public ClusterStatusCommand()
        : base("status", "Show the cluster's members, their roles, status, reachability and the shards and entities each hosts.")
    {
        Options.Add(UrlOption);
        Options.Add(ApiKeyOption);
        Options.Add(ApiKeyHeaderOption);
        Options.Add(JsonOption);
        SetAction(RunAsync);
    }

    public Option<Uri> UrlOption { get; } = BenchOptionFactory.Url();

    public Option<string?> ApiKeyOption { get; } = BenchOptionFactory.ApiKey();

    public Option<string> ApiKeyHeaderOption { get; } = BenchOptionFactory.ApiKeyHeader();

    public Option<bool> JsonOption { get; } = new("--json") { Description = "Print the engine's JSON answer instead of a table." };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        using var http = BenchHttpClientFactory.Create(parseResult.GetRequiredValue(UrlOption), 1, parseResult.GetValue(ApiKeyOption),
            parseResult.GetRequiredValue(ApiKeyHeaderOption));
        string body;
        try
        {
            using var response = await http.GetAsync("api/v1/cluster", cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await error.WriteLineAsync($"perf cluster status: the engine answered {(int)response.StatusCode}: {body}").ConfigureAwait(false);
                return 2;
            }
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"perf cluster status: cannot reach the engine: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        var status = JsonNode.Parse(body)!;
        var members = status["members"]!.AsArray().Select(m => m!).ToArray();
        if (parseResult.GetValue(JsonOption)) await output.WriteLineAsync(status.ToJsonString(new() { WriteIndented = true })).ConfigureAwait(false);
        else await output.WriteLineAsync(Render(status, members)).ConfigureAwait(false);
        return members.All(m => m["status"]!.GetValue<string>() == "up" && m["reachable"]!.GetValue<bool>()) ? 0 : 1;
    }

    private static string Render(JsonNode status, JsonNode[] members)
    {
        var table = new Table().AddColumns("member", "roles", "status", "reachable", "series shards / entities", "host shards / entities");
        foreach (var m in members)
        {
            var name = m["address"]!.GetValue<string>() + (m["leader"]!.GetValue<bool>() ? " (leader)" : "") + (m["self"]!.GetValue<bool>() ? " (asked)" : "");
            table.AddRow(Markup.Escape(name), string.Join(",", m["roles"]!.AsArray().Select(r => r!.GetValue<string>())), m["status"]!.GetValue<string>(),
                m["reachable"]!.GetValue<bool>() ? "yes" : "[red]no[/]", Counts(m["series"]), Counts(m["hosts"]));
        }
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200; // one line per member, even when the output is not a terminal
        console.Write(table);
        if (status["shard_stats_complete"]?.GetValue<bool>() == false) console.WriteLine("Shard counts are incomplete: a member did not answer in time.");
        return writer.ToString().TrimEnd();
    }

    private static string Counts(JsonNode? counts) =>
        counts is null ? "-" : $"{counts["shards"]!.GetValue<int>()} / {counts["entities"]!.GetValue<int>()}";
}
