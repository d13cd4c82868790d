using SkiaSharp;

namespace Perf.Actors.Reports;

/// <summary>
/// A multi-page PDF (SkiaSharp's PDF backend, A4): a title page, then per host its table, its anomalies and one chart
/// per metric, onto as many pages as they need. Charts are drawn as vectors (ScottPlot renders onto the page's canvas),
/// so they stay sharp at any zoom.
/// </summary>
public static class PdfReportWriter
{
    private const float Width = 595, Height = 842, Margin = 40;
    private const float ChartHeight = 300;
    /// <summary>Debian's fonts-dejavu-core; ScottPlot falls back to a font it finds when it is missing.</summary>
    public const string FontName = "DejaVu Sans";

    public static void Write(ReportData data, Stream stream)
    {
        // Default, not new(): the struct's zero value has a raster DPI of 0, which rasterizes anything Skia cannot
        // express as vectors at screen resolution (blurry charts).
        var metadata = SKDocumentPdfMetadata.Default;
        metadata.Title = $"{data.Title} ({data.Spec.TimeRange})";
        metadata.Creator = "Perf";
        metadata.Producer = "Perf (SkiaSharp)";
        metadata.Creation = DateTimeOffset.FromUnixTimeMilliseconds(data.GeneratedMs).UtcDateTime;
        using var document = SKDocument.CreatePdf(stream, metadata);
        // The typefaces ScottPlot draws the charts with (it caches them): one embedded font per face, not two copies.
        var regular = ScottPlot.Fonts.GetTypeface(FontName, bold: false, italic: false);
        var bold = ScottPlot.Fonts.GetTypeface(FontName, bold: true, italic: false);
        using var page = new PdfPage(document, regular, bold);

        page.Next();
        page.Line(data.Title, 26, bold: true, gap: 16);
        page.Line(ReportText.Subtitle(data), 11);
        page.Line($"Hosts: {string.Join(", ", data.Spec.Hosts)}", 11);
        page.Line($"Metrics: {string.Join(", ", data.Spec.Metrics)}", 11);
        page.Line($"Generated {Perf.Analytics.Time.TimestampParser.FormatIso(data.GeneratedMs)} (report {data.Id})", 9);

        foreach (var host in data.ByHost)
        {
            page.Next();
            page.Line(host.Key, 18, bold: true, gap: 8);
            page.Table(ReportText.ColumnsFor(data), host.Select(m => ReportText.Row(m, data)).ToArray());
            var context = data.ContextOf(host.Key);
            page.Line("Alerts in range", 12, bold: true, gap: 6);
            if (context.Alerts.Count == 0) page.Line("none", 8);
            foreach (var t in context.Alerts) page.Line(ReportText.Alert(t), 8);
            page.Line("Recommendations", 12, bold: true, gap: 6);
            if (context.Recommendations.Count == 0) page.Line("none", 8);
            foreach (var r in context.Recommendations) page.Line(ReportText.Recommendation(r), 8);
            foreach (var metric in host.Where(m => m.Anomalies.Count > 0))
            {
                page.Line($"Anomalies of {metric.Requested}", 12, bold: true, gap: 6);
                foreach (var a in metric.Anomalies) page.Line(ReportText.Anomaly(a), 8);
            }
            if (!data.Spec.IncludeGraphs) continue;
            foreach (var metric in host.Where(m => m.Points.Count > 0))
            {
                var canvas = page.Reserve(ChartHeight + 10);
                var top = page.Y;
                canvas.Save();
                canvas.ClipRect(new SKRect(Margin, top, Width - Margin, top + ChartHeight));
                canvas.Translate(Margin, top);
                // ScottPlot renders at 96 dpi; scaling from PDF points keeps its fonts and lines in proportion.
                canvas.Scale(0.75f);
                ReportCharts.Plot(metric, data.Spec).Render(canvas, (int)((Width - 2 * Margin) / 0.75f), (int)(ChartHeight / 0.75f));
                canvas.Restore();
                page.Advance(ChartHeight + 10);
            }
        }
    }

    /// <summary>A cursor over the document's pages: what does not fit on the current page begins the next one.</summary>
    private sealed class PdfPage(SKDocument document, SKTypeface regular, SKTypeface bold) : IDisposable
    {
        private SKCanvas? _canvas;

        public float Y { get; private set; }

        public void Next()
        {
            if (_canvas is not null) document.EndPage();
            _canvas = document.BeginPage(Width, Height);
            Y = Margin;
        }

        /// <summary>The canvas with at least <paramref name="height"/> left on its page.</summary>
        public SKCanvas Reserve(float height)
        {
            if (_canvas is null || Y + height > Height - Margin) Next();
            return _canvas!;
        }

        public void Advance(float height) => Y += height;

        public void Line(string text, float size, bool bold = false, float gap = 2)
        {
            var canvas = Reserve(size + gap + 4);
            using var font = new SKFont(bold ? Bold : Regular, size);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(Fit(text, font, Width - 2 * Margin), Margin, Y + size, SKTextAlign.Left, font, paint);
            Y += size + gap + 4;
        }

        public void Table(string[] columns, string[][] rows)
        {
            var widths = new float[] { 100, 50, 50, 50, 50, 50, 115, 50 };
            const float rowHeight = 16;
            using var font = new SKFont(Regular, 8);
            using var header = new SKFont(Bold, 8);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var rule = new SKPaint { Color = SKColors.Gray, StrokeWidth = 0.5f, Style = SKPaintStyle.Stroke };
            foreach (var (row, i) in rows.Prepend(columns).Select((r, i) => (r, i)))
            {
                var canvas = Reserve(rowHeight);
                var x = Margin;
                for (var c = 0; c < row.Length; c++)
                {
                    canvas.DrawText(Fit(row[c], i == 0 ? header : font, widths[c] - 4), x + 2, Y + 11, SKTextAlign.Left, i == 0 ? header : font, text);
                    x += widths[c];
                }
                canvas.DrawLine(Margin, Y + rowHeight, x, Y + rowHeight, rule);
                Y += rowHeight;
            }
            Y += 10;
        }

        private SKTypeface Regular => regular;

        private SKTypeface Bold => bold;

        /// <summary>Cuts text that would run past the margin, with an ellipsis.</summary>
        private static string Fit(string text, SKFont font, float width)
        {
            if (font.MeasureText(text) <= width) return text;
            while (text.Length > 1 && font.MeasureText(text + "…") > width) text = text[..^1];
            return text + "…";
        }

        public void Dispose()
        {
            if (_canvas is not null) document.EndPage();
            document.Close();
        }
    }
}
