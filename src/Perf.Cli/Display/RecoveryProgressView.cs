using System.Diagnostics;
using System.Globalization;
using Perf.Cli.Load;
using Spectre.Console;

namespace Perf.Cli.Display;

/// <summary>
/// Shows a recovery run while it goes: a Spectre progress bar of answered series on a terminal, or one
/// plain line every few seconds when the output is redirected.
/// </summary>
public sealed class RecoveryProgressView(BenchConsole console, RecoveryCounters counters, int seriesCount)
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainRefresh = TimeSpan.FromSeconds(2);

    private readonly RateTracker currentRate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public async Task ShowUntilDoneAsync(Task run)
    {
        if (console.Live)
        {
            await console.Rich.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("series answered", autoStart: true, maxValue: seriesCount);
                    while (!run.IsCompleted)
                    {
                        await Task.WhenAny(run, Task.Delay(LiveRefresh)).ConfigureAwait(false);
                        var snapshot = counters.Snapshot();
                        task.Value = snapshot.Answered;
                        task.Description = Markup.Escape(Describe(snapshot));
                    }

                    task.StopTask();
                }).ConfigureAwait(false);
            return;
        }

        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(PlainRefresh)).ConfigureAwait(false);
            if (!run.IsCompleted)
            {
                var snapshot = counters.Snapshot();
                var lastError = snapshot.LastError is null ? "" : $" (last: {snapshot.LastError})";
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"[{clock.Elapsed.TotalSeconds,6:0.0}s] {Describe(snapshot)} | p50 {snapshot.P50Milliseconds:0.00} ms | p99 {snapshot.P99Milliseconds:0.00} ms | errors {snapshot.Errors:N0}{lastError}");
                await console.Plain.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
    }

    private string Describe(RecoverySnapshot snapshot)
    {
        var rate = currentRate.Sample(snapshot.Answered, clock.Elapsed);
        return string.Create(CultureInfo.InvariantCulture,
            $"{snapshot.Answered:N0}/{seriesCount:N0} series answered, {rate:N0}/s, {snapshot.Retries:N0} retries");
    }
}
