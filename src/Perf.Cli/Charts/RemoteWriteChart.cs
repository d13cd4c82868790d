using System.Globalization;
using Perf.Actors.Reports;
using ScottPlot;

namespace Perf.Cli.Charts;

/// <summary>
/// The side-by-side remote-write benchmark as a chart: for each receiver, the samples per second it achieved against
/// those asked, with the line a receiver that keeps up follows. Read from the <c>RESULT receiver=...</c> lines of
/// <c>perf bench remote-write</c>; warm-up runs (labels ending in <c>-warmup</c>) are left out.
/// </summary>
public static class RemoteWriteChart
{
    /// <summary>One measured run.</summary>
    public sealed record Run(string Receiver, double Target, double Achieved, bool KeptUp, double? CpuSecondsPerMillion);

    public static IReadOnlyList<Run> Parse(IEnumerable<string> lines)
    {
        var runs = new List<Run>();
        foreach (var line in lines)
        {
            if (!line.StartsWith("RESULT receiver=", StringComparison.Ordinal)) continue;
            var fields = line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
            var receiver = fields["receiver"];
            if (receiver.EndsWith("-warmup", StringComparison.Ordinal)) continue;
            runs.Add(new Run(receiver, Number(fields["target"]), Number(fields["achieved"]), fields.GetValueOrDefault("kept_up") == "yes",
                fields.TryGetValue("cpu_s_per_million", out var cpu) && cpu.Length > 0 ? Number(cpu) : null));
        }
        return runs;

        static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static Plot Plot(IReadOnlyList<Run> runs, string title)
    {
        var plot = new Plot();
        plot.Font.Set(PdfReportWriter.FontName); // as the reports' charts
        var highest = runs.Max(r => r.Target);
        var ideal = plot.Add.Line(0, 0, highest, highest);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LineColor = Colors.Gray;
        ideal.LegendText = "keeping up (achieved = asked)";
        foreach (var receiver in runs.GroupBy(r => r.Receiver))
        {
            var points = receiver.OrderBy(r => r.Target).ToArray();
            var line = plot.Add.Scatter(points.Select(r => r.Target).ToArray(), points.Select(r => r.Achieved).ToArray());
            line.LineWidth = 2;
            line.MarkerSize = 7;
            var cpu = points.Where(r => r.CpuSecondsPerMillion is not null).Select(r => r.CpuSecondsPerMillion!.Value).ToArray();
            line.LegendText = cpu.Length == 0
                ? receiver.Key
                : string.Create(CultureInfo.InvariantCulture, $"{receiver.Key} ({cpu.Min():0.#}-{cpu.Max():0.#} CPU s per million samples)");
        }
        plot.Title(title);
        plot.XLabel("samples/s asked");
        plot.YLabel("samples/s achieved");
        plot.Axes.SetLimits(0, highest * 1.05, 0, highest * 1.05);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    public static string Svg(IReadOnlyList<Run> runs, string title, int width = 800, int height = 500) => Plot(runs, title).GetSvgXml(width, height);
}
