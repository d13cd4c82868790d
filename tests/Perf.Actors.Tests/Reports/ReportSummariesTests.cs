using Perf.Actors.Reports;
using Perf.Analytics.Compression;

namespace Perf.Actors.Tests.Reports;

public sealed class ReportSummariesTests
{
    private const long Start = 1_790_000_000_000;

    /// <summary>Four hours of one-minute buckets with a little noise: <paramref name="level"/> of minute i.</summary>
    private static DataPoint[] Minutes(Func<int, double> level)
    {
        var random = new Random(5);
        return [.. Enumerable.Range(0, 240).Select(i => new DataPoint(Start + i * 60_000L, level(i) + random.NextDouble() - 0.5))];
    }

    [Fact]
    public void After_a_level_shift_the_capacity_projection_follows_the_new_level_not_a_line_across_the_jump()
    {
        // Memory at 40 % for three hours, then 82 % and flat: nothing is rising towards 90.
        var points = Minutes(i => i < 180 ? 40 : 82);

        var summary = ReportSummaries.Of(points, Start, 0.9)!;

        Assert.Equal(Start + 180 * 60_000L, summary.LineFromMs);
        Assert.Equal(82, summary.Line!.Value.ValueAt(240 * 60), 0);
        Assert.True(ReportSummaries.TimeToCapacity(summary, Start, Start + 240 * 60_000L) is null or { TotalDays: > 365 },
            "a flat new level has no crossing in sight");
    }

    [Fact]
    public void A_shift_to_a_rising_level_projects_from_that_level()
    {
        // 40 % for three hours, then from 70 % rising 5 points an hour: 90 is reached about three hours after the end.
        var points = Minutes(i => i < 180 ? 40 : 70 + 5 * (i - 180) / 60.0);

        var summary = ReportSummaries.Of(points, Start, 0.9)!;
        var until = ReportSummaries.TimeToCapacity(summary, Start, Start + 239 * 60_000L)!.Value;

        Assert.InRange(until.TotalHours, 2.5, 3.5);
        var (earliest, latest) = ReportSummaries.CapacityInterval(summary, Start, Start + 239 * 60_000L)!.Value;
        Assert.True(earliest < until && until < latest!.Value, $"{earliest} < {until} < {latest}");
    }

    [Fact]
    public void Without_a_shift_the_line_runs_through_the_whole_range()
    {
        var points = Minutes(i => 50 + 10 * i / 60.0); // 10 points an hour from 50: 90 at hour 4

        var summary = ReportSummaries.Of(points, Start, 0.9)!;

        Assert.Equal(Start, summary.LineFromMs);
        Assert.InRange(ReportSummaries.TimeToCapacity(summary, Start, Start + 180 * 60_000L)!.Value.TotalHours, 0.9, 1.1);
    }
}
