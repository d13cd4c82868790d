using Perf.Actors.Alerts;
using Perf.Actors.Optimization;
using Perf.Actors.Reports;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Actors.Tests.Reports;

public sealed class HtmlReportWriterTests
{
    [Fact]
    public void A_host_section_lists_the_alerts_in_range_and_the_recommendations()
    {
        var spec = new ReportSpec("performance_summary", "1h", 0, 3_600_000, ["cpu_usage"], ["web-1"], "html", IncludeGraphs: false);
        var alert = new AlertTransitioned("cpu_usage-1-0", "cpu_usage", "CPU busy", "web-1", "cpu.usage", AlertState.Pending, AlertState.Firing,
            AlertSeverity.Critical, 1_800_000, 97, 90, 1_800_000);
        var recommendation = new Recommendation("scaling", "scale_up", "cpu.usage at or above 70 for 5m", 2_000_000, 1_700_000, []);
        var data = new ReportData("r1", spec, 60_000, 3_600_000, [new MetricReport("web-1", "cpu_usage", "cpu.usage", [], [], null)],
            new Dictionary<string, HostContext> { ["web-1"] = new([alert], [recommendation]) });
        using var html = new StringWriter();

        HtmlReportWriter.Write(data, html);

        var text = html.ToString();
        Assert.Contains("CPU busy on cpu.usage: pending -&gt; firing (critical), value 97, threshold 90", text, StringComparison.Ordinal);
        Assert.Contains("scaling: scale_up. cpu.usage at or above 70 for 5m", text, StringComparison.Ordinal);
    }
}
