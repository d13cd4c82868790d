using System.Text.Json.Nodes;
using Spectre.Console;

namespace Perf.Cli.Display;

/// <summary>
/// Follows a report job until it ends (done, failed, interrupted): a Spectre progress bar on a terminal, a plain line
/// per change of status or tenth of progress otherwise (a log stays short).
/// </summary>
public sealed class ReportProgressView(BenchConsole console)
{
    private static readonly string[] Ended = ["done", "failed", "interrupted"];

    /// <summary>Polls <paramref name="status"/> every <paramref name="interval"/>; returns the last status seen.</summary>
    public async Task<JsonNode> FollowAsync(Func<CancellationToken, Task<JsonNode>> status, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (!console.Live) return await FollowPlainAsync(status, interval, cancellationToken).ConfigureAwait(false);
        JsonNode last = new JsonObject();
        await console.Rich.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("queued", maxValue: 1);
                while (true)
                {
                    last = await status(cancellationToken).ConfigureAwait(false);
                    var (word, progress) = Read(last);
                    task.Description = word;
                    task.Value = progress;
                    if (Ended.Contains(word)) return;
                    await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return last;
    }

    private async Task<JsonNode> FollowPlainAsync(Func<CancellationToken, Task<JsonNode>> status, TimeSpan interval, CancellationToken cancellationToken)
    {
        var shown = "";
        while (true)
        {
            var last = await status(cancellationToken).ConfigureAwait(false);
            var (word, progress) = Read(last);
            var line = $"{word} {Math.Floor(progress * 10) * 10:0}%";
            if (line != shown) await console.Plain.WriteLineAsync($"perf report: {line}").ConfigureAwait(false);
            shown = line;
            if (Ended.Contains(word)) return last;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string Word, double Progress) Read(JsonNode status) =>
        (status["status"]?.GetValue<string>() ?? "unknown", status["progress"]?.GetValue<double>() ?? 0);
}
