using Perf.Actors.Series;

namespace Perf.Actors.Telemetry;

/// <summary>
/// One self-monitoring interval of a node as series of the reserved host: each instrument of the engine becomes series
/// named after it with the node and the instrument's tags as labels, and a few figures are derived for the system
/// alert rules. Counters become per-second rates (<c>.rate</c>), histograms their mean and 99th percentile over the
/// interval (<c>.mean</c>, <c>.p99</c>, only when something was recorded) and how many were recorded (<c>.count</c>),
/// gauges their value. Pure: the self-monitoring service feeds it what <see cref="MetricsReader"/> read.
/// </summary>
public static class SystemFigures
{
    public static IReadOnlyList<(string Metric, double Value)> From(IReadOnlyList<MetricsReader.Reading> readings, string node, TimeSpan interval, int silentSources)
    {
        var seconds = Math.Max(interval.TotalSeconds, 0.001);
        var figures = new List<(string, double)>();
        foreach (var reading in readings)
        {
            var labels = Labels(node, reading.Tags);
            switch (reading.Kind)
            {
                case MetricsReader.Kind.Counter:
                    figures.Add((SeriesName.Labelled(reading.Instrument + ".rate", labels), reading.Value / seconds));
                    break;
                case MetricsReader.Kind.Histogram:
                    figures.Add((SeriesName.Labelled(reading.Instrument + ".count", labels), reading.Count));
                    if (reading.Count == 0) break;
                    figures.Add((SeriesName.Labelled(reading.Instrument + ".mean", labels), reading.Value));
                    figures.Add((SeriesName.Labelled(reading.Instrument + ".p99", labels), reading.P99));
                    break;
                default:
                    figures.Add((SeriesName.Labelled(reading.Instrument, labels), reading.Value));
                    break;
            }
        }
        var nodeOnly = Labels(node, []);

        // Requests refused as malformed or too large, against all requests, per protocol (0 when none came).
        foreach (var protocol in readings.Where(r => r.Instrument == "perf.ingest.requests").GroupBy(r => Tag(r, "protocol")))
        {
            var total = protocol.Sum(r => r.Value);
            var rejected = protocol.Where(r => Tag(r, "outcome") == "rejected").Sum(r => r.Value);
            figures.Add((SeriesName.Labelled("perf.ingest.rejected_percent", Labels(node, [new("protocol", protocol.Key)])), total == 0 ? 0 : 100 * rejected / total));
        }
        figures.Add((SeriesName.Labelled("perf.sources.silent", nodeOnly), silentSources));
        var members = readings.Where(r => r.Instrument == "perf.cluster.members").ToArray();
        if (members.Length > 0)
            figures.Add((SeriesName.Labelled("perf.cluster.unreachable", nodeOnly), members.Where(r => Tag(r, "status") == "unreachable").Sum(r => r.Value)));
        if (readings.FirstOrDefault(r => r.Instrument == "perf.disk.free_ratio") is { } disk)
            figures.Add((SeriesName.Labelled("perf.disk.free_percent", nodeOnly), 100 * disk.Value));
        return figures;
    }

    /// <summary>The node's label of a self-monitoring series name (<c>node="..."</c>), or null.</summary>
    public static string? NodeOf(string metric)
    {
        const string marker = "node=\"";
        var start = metric.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0) return null;
        start += marker.Length;
        var end = metric.IndexOf('"', start);
        return end < 0 ? null : metric[start..end];
    }

    /// <summary>The series name without its labels: <c>perf.journal.write.duration.p99</c>.</summary>
    public static string NameOf(string metric) => metric.IndexOf('{') is var brace and >= 0 ? metric[..brace] : metric;

    private static string Tag(MetricsReader.Reading reading, string key) => reading.Tags.FirstOrDefault(t => t.Key == key).Value ?? "";

    private static KeyValuePair<string, string>[] Labels(string node, IReadOnlyList<KeyValuePair<string, string>> tags) =>
        [.. tags.Append(new("node", node)).OrderBy(t => t.Key, StringComparer.Ordinal)];
}
