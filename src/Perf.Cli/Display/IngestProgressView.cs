using System.Diagnostics;
using System.Globalization;
using Perf.Cli.Load;
using Spectre.Console;

namespace Perf.Cli.Display;

/// <summary>
/// Shows an ingest run while it goes: a Spectre live table refreshed twice a second on a terminal, or one
/// plain line every few seconds when the output is redirected.
/// </summary>
public sealed class IngestProgressView(BenchConsole console, IngestCounters counters, TimeSpan plannedDuration)
{
    private static readonly TimeSpan LiveRefresh = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainRefresh = TimeSpan.FromSeconds(2);

    private readonly RateTracker currentRate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public async Task ShowUntilDoneAsync(Task run)
    {
        if (console.Live)
        {
            await console.Rich.Live(BuildTable()).AutoClear(true).StartAsync(async context =>
            {
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(LiveRefresh)).ConfigureAwait(false);
                    context.UpdateTarget(BuildTable());
                    context.Refresh();
                }
            }).ConfigureAwait(false);
            return;
        }

        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(PlainRefresh)).ConfigureAwait(false);
            if (!run.IsCompleted)
            {
                await console.Plain.WriteLineAsync(BuildLine()).ConfigureAwait(false);
            }
        }
    }

    private string BuildLine()
    {
        var (snapshot, elapsed, now, average) = Sample();
        var lastError = snapshot.LastError is null ? "" : $" (last: {snapshot.LastError})";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{elapsed.TotalSeconds,6:0.0}s] accepted {snapshot.AcceptedPoints:N0} pts | now {now:N0} pts/s | avg {average:N0} pts/s | p50 {snapshot.P50Milliseconds:0.00} ms | p99 {snapshot.P99Milliseconds:0.00} ms | 429 retries {snapshot.Retries429:N0} | errors {snapshot.Errors:N0}{lastError}");
    }

    private Table BuildTable()
    {
        var (snapshot, elapsed, now, average) = Sample();
        var table = new Table().Border(TableBorder.Rounded)
            .Title(plannedDuration > TimeSpan.Zero
                ? $"perf bench ingest — {Formatting.Seconds(elapsed)} of {Formatting.Seconds(plannedDuration)}"
                : $"perf bench ingest — {Formatting.Seconds(elapsed)}")
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("accepted points/s (now)", Formatting.Rate(now));
        table.AddRow("accepted points/s (avg)", Formatting.Rate(average));
        table.AddRow("accepted points", Formatting.Count(snapshot.AcceptedPoints));
        table.AddRow("requests", Formatting.Count(snapshot.Requests));
        table.AddRow("ack latency p50", Formatting.Milliseconds(snapshot.P50Milliseconds));
        table.AddRow("ack latency p99", Formatting.Milliseconds(snapshot.P99Milliseconds));
        table.AddRow("429 retries", Formatting.Count(snapshot.Retries429));
        table.AddRow("errors", Formatting.Count(snapshot.Errors));
        if (snapshot.LastError is { } lastError)
        {
            table.AddRow("last error", Markup.Escape(lastError));
        }

        return table;
    }

    private (IngestSnapshot Snapshot, TimeSpan Elapsed, double Now, double Average) Sample()
    {
        var snapshot = counters.Snapshot();
        var elapsed = clock.Elapsed;
        var now = currentRate.Sample(snapshot.AcceptedPoints, elapsed);
        var average = elapsed > TimeSpan.Zero ? snapshot.AcceptedPoints / elapsed.TotalSeconds : 0;
        return (snapshot, elapsed, now, average);
    }
}
