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
}
