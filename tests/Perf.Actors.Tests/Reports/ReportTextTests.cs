using Perf.Actors.Reports;

namespace Perf.Actors.Tests.Reports;

public sealed class ReportTextTests
{
    [Theory]
    [InlineData(null, "not rising")]
    [InlineData(0.0, "now")]
    [InlineData(90.0, "in 1h30m")]
    [InlineData(0.5, "in 1m")]
    [InlineData(600_000.0, "not within a year")]
    public void A_capacity_projection_reads_as_words(double? minutes, string expected) =>
        Assert.Equal(expected, ReportText.Projection(minutes is { } m ? TimeSpan.FromMinutes(m) : null));

    [Theory]
    [InlineData(180.0, 120.0, 300.0, "in 3h (2h-5h)")]
    [InlineData(180.0, 120.0, null, "in 3h (2h or later)")]
    [InlineData(0.0, 0.0, 0.0, "now")]
    public void A_capacity_projection_states_its_interval(double minutes, double earliest, double? latest, string expected) =>
        Assert.Equal(expected, ReportText.Projection(TimeSpan.FromMinutes(minutes),
            (TimeSpan.FromMinutes(earliest), latest is { } l ? TimeSpan.FromMinutes(l) : null)));
}
