using Perf.Cli.Load;
using Perf.Cli.Metrics;
using Spectre.Console;

namespace Perf.Cli.Display;

/// <summary>The final summary of an ingest run: a table for people and the <c>RESULT</c> line for scripts.</summary>
public static class IngestReport
{
    public static ResultLine ToResultLine(IngestOutcome outcome, int seriesCount, EngineFootprint footprint)
    {
        var totals = outcome.Totals;
        return new ResultLine()
            .Add("accepted_points", totals.AcceptedPoints)
            .Add("points_per_sec", outcome.AcceptedPointsPerSecond, 1)
            .Add("p50_ms", totals.P50Milliseconds, 3)
            .Add("p99_ms", totals.P99Milliseconds, 3)
            .Add("max_ms", totals.MaxMilliseconds, 3)
            .Add("requests", totals.Requests)
            .Add("retries_429", totals.Retries429)
            .Add("errors", totals.Errors)
            .Add("series", seriesCount)
            .Add("duration_s", outcome.Elapsed.TotalSeconds, 3)
            .Add("rss_bytes", footprint.ResidentBytes)
            .Add("active_series", footprint.ActiveSeries)
            .Add("rss_per_series_bytes", footprint.ResidentBytesPerSeries)
            .Add("cpu_s", footprint.CpuSeconds, 2)
            .Add("cpu_us_per_point", footprint.CpuMicrosecondsPer(totals.AcceptedPoints), 2)
            .Add("sent_points", totals.SentPoints)
            .Add("rejected_points", totals.RejectedPoints)
            .Add("failed_points", totals.FailedPoints);
    }

    public static Table ToTable(IngestOutcome outcome, int seriesCount, EngineFootprint footprint)
    {
        var totals = outcome.Totals;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(outcome.Cancelled ? "perf bench ingest (cancelled)" : "perf bench ingest")
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("duration", Formatting.Seconds(outcome.Elapsed));
        table.AddRow("series", Formatting.Count(seriesCount));
        table.AddRow("accepted points", Formatting.Count(totals.AcceptedPoints));
        table.AddRow("accepted points/s", Formatting.Rate(outcome.AcceptedPointsPerSecond));
        table.AddRow("rejected points", Formatting.Count(totals.RejectedPoints));
        table.AddRow("unacknowledged points", Formatting.Count(totals.FailedPoints));
        table.AddRow("requests", Formatting.Count(totals.Requests));
        table.AddRow("ack latency p50", Formatting.Milliseconds(totals.P50Milliseconds));
        table.AddRow("ack latency p99", Formatting.Milliseconds(totals.P99Milliseconds));
        table.AddRow("ack latency max", Formatting.Milliseconds(totals.MaxMilliseconds));
        table.AddRow("429 retries", Formatting.Count(totals.Retries429));
        table.AddRow("errors", Formatting.Count(totals.Errors));
        table.AddRow("engine RSS", Formatting.Bytes(footprint.ResidentBytes));
        table.AddRow("active series", footprint.ActiveSeries is { } active ? Formatting.Count(active) : "n/a");
        table.AddRow("RSS per series", Formatting.Bytes(footprint.ResidentBytesPerSeries));
        table.AddRow("engine CPU per point", footprint.CpuMicrosecondsPer(totals.AcceptedPoints) is { } us ? $"{us:0.0} us" : "n/a");
        if (totals.LastError is { } lastError)
        {
            table.AddRow("last error", Markup.Escape(lastError));
        }

        return table;
    }
}
