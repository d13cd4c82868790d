using Perf.Cli.Load;
using Spectre.Console;

namespace Perf.Cli.Display;

/// <summary>The final summary of a recovery run: a table for people and the <c>RESULT</c> line for scripts.</summary>
public static class RecoveryReport
{
    public static ResultLine ToResultLine(RecoveryOutcome outcome) => new ResultLine()
        .Add("series", outcome.SeriesCount)
        .Add("answered", outcome.Totals.Answered)
        .Add("seconds", outcome.Elapsed.TotalSeconds, 3)
        .Add("series_per_sec", outcome.SeriesPerSecond, 1)
        .Add("p50_ms", outcome.Totals.P50Milliseconds, 3)
        .Add("p99_ms", outcome.Totals.P99Milliseconds, 3)
        .Add("max_ms", outcome.Totals.MaxMilliseconds, 3)
        .Add("requests", outcome.Totals.Requests)
        .Add("retries", outcome.Totals.Retries)
        .Add("errors", outcome.Totals.Errors);

    public static Table ToTable(RecoveryOutcome outcome)
    {
        var title = outcome switch
        {
            { Cancelled: true } => "perf bench recovery (cancelled)",
            { AllAnswered: false } => "perf bench recovery (NOT every series answered)",
            _ => "perf bench recovery",
        };
        var table = new Table().Border(TableBorder.Rounded).Title(title)
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("series", Formatting.Count(outcome.SeriesCount));
        table.AddRow("answered 200", Formatting.Count(outcome.Totals.Answered));
        table.AddRow("time", Formatting.Seconds(outcome.Elapsed));
        table.AddRow("series/s", Formatting.Rate(outcome.SeriesPerSecond));
        table.AddRow("latency p50", Formatting.Milliseconds(outcome.Totals.P50Milliseconds));
        table.AddRow("latency p99", Formatting.Milliseconds(outcome.Totals.P99Milliseconds));
        table.AddRow("latency max", Formatting.Milliseconds(outcome.Totals.MaxMilliseconds));
        table.AddRow("requests", Formatting.Count(outcome.Totals.Requests));
        table.AddRow("retries", Formatting.Count(outcome.Totals.Retries));
        table.AddRow("errors", Formatting.Count(outcome.Totals.Errors));
        if (outcome.Totals.LastError is { } lastError)
        {
            table.AddRow("last error", Markup.Escape(lastError));
        }

        return table;
    }
}
