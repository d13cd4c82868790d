using System.Net;

namespace Perf.Actors.Reports;

/// <summary>A self-contained HTML report: the charts are inline PNG data URIs, so the file can be mailed or archived alone.</summary>
public static class HtmlReportWriter
{
    public static void Write(ReportData data, TextWriter w)
    {
        w.Write($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(data.Title)}}</title>
            <style>body{font-family:"DejaVu Sans",sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}</style>
            </head><body>
            <h1>{{E(data.Title)}}</h1>
            <p>{{E(ReportText.Subtitle(data))}}; hosts: {{E(string.Join(", ", data.Spec.Hosts))}}</p>

            """);
        foreach (var host in data.ByHost)
        {
            w.Write($"<section class=\"host\"><h2>{E(host.Key)}</h2>\n<table><tr>");
            foreach (var c in ReportText.ColumnsFor(data)) w.Write($"<th>{E(c)}</th>");
            w.Write("</tr>\n");
            foreach (var metric in host)
            {
                w.Write("<tr>");
                foreach (var cell in ReportText.Row(metric, data)) w.Write($"<td>{E(cell)}</td>");
                w.Write("</tr>\n");
            }
            w.Write("</table>\n");
            var context = data.ContextOf(host.Key);
            w.Write($"<h3>Alerts in range</h3>\n{(context.Alerts.Count == 0 ? "<p>none</p>" : "<ul>")}\n");
            foreach (var t in context.Alerts) w.Write($"<li>{E(ReportText.Alert(t))}</li>\n");
            if (context.Alerts.Count > 0) w.Write("</ul>\n");
            w.Write($"<h3>Recommendations</h3>\n{(context.Recommendations.Count == 0 ? "<p>none</p>" : "<ul>")}\n");
            foreach (var r in context.Recommendations) w.Write($"<li>{E(ReportText.Recommendation(r))}</li>\n");
            if (context.Recommendations.Count > 0) w.Write("</ul>\n");
            foreach (var metric in host)
            {
                if (data.Spec.IncludeGraphs && metric.Points.Count > 0)
                    w.Write($"<figure><img alt=\"{E(metric.Requested)}\" src=\"data:image/png;base64,{Convert.ToBase64String(ReportCharts.Png(metric, data.Spec, 900, 360))}\"></figure>\n");
                if (metric.Anomalies.Count == 0) continue;
                w.Write($"<h3>Anomalies of {E(metric.Requested)}</h3><ul>\n");
                foreach (var a in metric.Anomalies) w.Write($"<li>{E(ReportText.Anomaly(a))}</li>\n");
                w.Write("</ul>\n");
            }
            w.Write("</section>\n");
        }
        w.Write("</body></html>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
