using System.Text.Json;
using Perf.Cli.Display;
using Perf.Cli.Load;
using Perf.Cli.Metrics;

namespace Perf.Cli.Tests;

public sealed class ReportTests
{
    private static readonly IngestSnapshot Totals = new(
        SentPoints: 10_000, AcceptedPoints: 9_000, RejectedPoints: 0, FailedPoints: 1_000, Requests: 12,
        Retries429: 2, Errors: 1, P50Milliseconds: 3.25, P99Milliseconds: 12.5, MaxMilliseconds: 20, LastError: null);

    [Fact]
    public void Ingest_result_line_has_every_documented_field_and_null_for_unknown_memory()
    {
        var outcome = new IngestOutcome(Totals, TimeSpan.FromSeconds(3), Cancelled: false);

        var line = IngestReport.ToResultLine(outcome, seriesCount: 1000, EngineFootprint.Unknown).ToString();

        Assert.StartsWith("RESULT {", line);
        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line["RESULT ".Length..]);
        var root = json.RootElement;
        Assert.Equal(9000, root.GetProperty("accepted_points").GetInt64());
        Assert.Equal(3000, root.GetProperty("points_per_sec").GetDouble());
        Assert.Equal(3.25, root.GetProperty("p50_ms").GetDouble());
        Assert.Equal(12.5, root.GetProperty("p99_ms").GetDouble());
        Assert.Equal(20, root.GetProperty("max_ms").GetDouble());
        Assert.Equal(12, root.GetProperty("requests").GetInt64());
        Assert.Equal(2, root.GetProperty("retries_429").GetInt64());
        Assert.Equal(1, root.GetProperty("errors").GetInt64());
        Assert.Equal(1000, root.GetProperty("series").GetInt64());
        Assert.Equal(3, root.GetProperty("duration_s").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rss_bytes").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("active_series").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rss_per_series_bytes").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("cpu_s").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("cpu_us_per_point").ValueKind);
    }

    [Fact]
    public void Ingest_result_line_gives_the_engines_cpu_per_accepted_point()
    {
        var outcome = new IngestOutcome(Totals, TimeSpan.FromSeconds(3), Cancelled: false);

        var line = IngestReport.ToResultLine(outcome, 1000, new EngineFootprint(null, null, CpuSeconds: 0.45)).ToJson();

        using var json = JsonDocument.Parse(line);
        Assert.Equal(0.45, json.RootElement.GetProperty("cpu_s").GetDouble());
        Assert.Equal(50, json.RootElement.GetProperty("cpu_us_per_point").GetDouble()); // 0.45 s over 9,000 accepted points
    }

    [Theory]
    [InlineData("1234 (dotnet) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 100 0 0", 3.25)]
    [InlineData("1234 (.NET Tiered (x) S) R 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 30 0 100 0 0", 0.10)]
    [InlineData("1234 (dotnet) S 1 2", null)]
    [InlineData("garbage", null)]
    public void Cpu_seconds_are_user_plus_system_ticks_counted_after_the_command_name(string stat, double? expected)
    {
        Assert.Equal(expected, ProcessStatusReader.ParseCpuSeconds(stat));
    }

    [Fact]
    public void Ingest_result_line_divides_memory_by_active_series()
    {
        var outcome = new IngestOutcome(Totals, TimeSpan.FromSeconds(3), Cancelled: false);

        var line = IngestReport.ToResultLine(outcome, 1000, new EngineFootprint(500_000_000, 1000)).ToJson();

        using var json = JsonDocument.Parse(line);
        Assert.Equal(500_000_000, json.RootElement.GetProperty("rss_bytes").GetInt64());
        Assert.Equal(1000, json.RootElement.GetProperty("active_series").GetInt64());
        Assert.Equal(500_000, json.RootElement.GetProperty("rss_per_series_bytes").GetInt64());
    }

    [Fact]
    public void Recovery_result_line_has_every_documented_field()
    {
        var snapshot = new RecoverySnapshot(Answered: 100, Requests: 150, Retries: 50, Errors: 0,
            P50Milliseconds: 1.5, P99Milliseconds: 9.75, MaxMilliseconds: 12, LastError: null);
        var outcome = new RecoveryOutcome(SeriesCount: 100, snapshot, TimeSpan.FromSeconds(4), Cancelled: false);

        using var json = JsonDocument.Parse(RecoveryReport.ToResultLine(outcome).ToJson());

        var root = json.RootElement;
        Assert.Equal(100, root.GetProperty("series").GetInt64());
        Assert.Equal(100, root.GetProperty("answered").GetInt64());
        Assert.Equal(4, root.GetProperty("seconds").GetDouble());
        Assert.Equal(25, root.GetProperty("series_per_sec").GetDouble());
        Assert.Equal(1.5, root.GetProperty("p50_ms").GetDouble());
        Assert.Equal(9.75, root.GetProperty("p99_ms").GetDouble());
    }
}
