using ScottPlot;

namespace Perf.Actors.Reports;

/// <summary>
/// The chart of one metric (ScottPlot): the bucket averages, the detectors' anomalies as red markers, and the Theil–Sen
/// trend line, on a time axis.
/// </summary>
public static class ReportCharts
{
    public static Plot Plot(MetricReport metric, ReportSpec spec)
    {
        var plot = new Plot();
        // The PDF's own text is DejaVu Sans (fonts-dejavu-core); the charts match it.
        plot.Font.Set(PdfReportWriter.FontName);
        var xs = metric.Points.Select(p => OaDate(p.TimestampMs)).ToArray();
        var ys = metric.Points.Select(p => p.Value).ToArray();
        var data = plot.Add.Scatter(xs, ys);
        data.MarkerSize = 0;
        data.LineWidth = 1.5f;
        data.LegendText = "bucket average";
        if (metric.Anomalies.Count > 0)
        {
            var anomalies = plot.Add.Markers(
                metric.Anomalies.Select(a => OaDate(a.TimestampMs)).ToArray(), metric.Anomalies.Select(a => a.Value).ToArray(), MarkerShape.FilledCircle, 7, Colors.Red);
            anomalies.LegendText = "anomaly";
        }
        if (metric.Summary is { Line: { } line } summary && xs.Length > 1)
        {
            // From where the line was fitted: after a level shift, the present level only.
            var (from, to) = (Math.Max(metric.Points[0].TimestampMs, summary.LineFromMs), metric.Points[^1].TimestampMs);
            var trend = plot.Add.Line(OaDate(from), line.ValueAt((from - spec.FromMs) / 1000.0), OaDate(to), line.ValueAt((to - spec.FromMs) / 1000.0));
            trend.LineColor = Colors.DarkOrange;
            trend.LinePattern = LinePattern.Dashed;
            trend.LineWidth = 2;
            trend.LegendText = "trend (Theil-Sen)";
        }
        plot.Axes.DateTimeTicksBottom();
        plot.Title($"{metric.Host} - {metric.Requested}");
        plot.YLabel(metric.Series);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    public static byte[] Png(MetricReport metric, ReportSpec spec, int width, int height) => Plot(metric, spec).GetImageBytes(width, height, ImageFormat.Png);

    private static double OaDate(long epochMs) => DateTime.UnixEpoch.AddMilliseconds(epochMs).ToOADate();
}
