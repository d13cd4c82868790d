using Perf.Actors.Series;

namespace Perf.Actors.Telemetry;

/// <summary>
/// One self-monitoring interval of a node as series of the reserved host: each instrument of the engine becomes series
/// named after it with the node and the instrument's tags as labels (the sending key, <c>source</c>, is summed over: a
/// series per key would grow with the fleet), and a few figures are derived for the system alert rules. Counters become
/// per-second rates over the time since the previous read (<c>.rate</c>), histograms their mean and 99th percentile
/// over it (<c>.mean</c>, <c>.p99</c>, only when something was recorded) and how many were recorded (<c>.count</c>),
/// gauges their value; failure counters also their total over the failure window (<c>.recent</c>). Pure: the
/// self-monitoring service feeds it what <see cref="MetricsReader"/> read.
/// </summary>
public static class SystemFigures
{
    /// <summary>Fewer requests of a protocol in an interval say nothing about its rejection rate (one bad request is not 100 %).</summary>
    public const int MinRequestsForPercent = 5;

    /// <param name="Node">the node's address, host:port.</param>
    /// <param name="Elapsed">the time the readings cover.</param>
    /// <param name="SilentHosts">sources silent now.</param>
    /// <param name="HeardAgain">sources that were silent at the previous interval and are not any more (their series go back to 0).</param>
    /// <param name="RecentFailures">failure counters over the failure window (<see cref="FailureWindow"/>).</param>
    public sealed record Interval(string Node, TimeSpan Elapsed, IReadOnlyList<string> SilentHosts, IReadOnlyList<string> HeardAgain,
        IReadOnlyList<MetricsReader.Reading> RecentFailures);

    public static IReadOnlyList<(string Metric, double Value)> From(IReadOnlyList<MetricsReader.Reading> readings, Interval interval)
    {
        var node = interval.Node;
        var seconds = Math.Max(interval.Elapsed.TotalSeconds, 0.001);
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string name, IReadOnlyList<KeyValuePair<string, string>> tags, double value, bool sum = false)
        {
            var metric = SeriesName.Labelled(name, Labels(node, tags));
            figures[metric] = sum && figures.TryGetValue(metric, out var before) ? before + value : value;
        }

        foreach (var reading in readings)
        {
            switch (reading.Kind)
            {
                case MetricsReader.Kind.Counter:
                    Add(reading.Instrument + ".rate", reading.Tags, reading.Value / seconds, sum: true);
                    break;
                case MetricsReader.Kind.Histogram:
                    Add(reading.Instrument + ".count", reading.Tags, reading.Count, sum: true);
                    if (reading.Count == 0) break;
                    Add(reading.Instrument + ".mean", reading.Tags, reading.Value);
                    // Percent changes can be negative, which the latency histogram behind p99 cannot hold.
                    if (reading.Unit != "%") Add(reading.Instrument + ".p99", reading.Tags, reading.P99);
                    break;
                default:
                    Add(reading.Instrument, reading.Tags, reading.Value);
                    break;
            }
        }
        foreach (var recent in interval.RecentFailures) Add(recent.Instrument + ".recent", recent.Tags, recent.Value, sum: true);

        // Requests refused as malformed, too large or of the wrong type, against all requests, per protocol.
        foreach (var protocol in readings.Where(r => r.Instrument == "perf.ingest.requests").GroupBy(r => Tag(r, "protocol")))
        {
            var total = protocol.Sum(r => r.Value);
            var rejected = protocol.Where(r => Tag(r, "outcome") == "rejected").Sum(r => r.Value);
            Add("perf.ingest.rejected_percent", [new("protocol", protocol.Key)], total < MinRequestsForPercent ? 0 : 100 * rejected / total);
        }
        Add("perf.sources.silent", [], interval.SilentHosts.Count);
        foreach (var host in interval.SilentHosts) Add("perf.source.silent", [new("host", host)], 1);
        foreach (var host in interval.HeardAgain) Add("perf.source.silent", [new("host", host)], 0);
        var members = readings.Where(r => r.Instrument == "perf.cluster.members").ToArray();
        if (members.Length > 0) Add("perf.cluster.unreachable", [], members.Where(r => Tag(r, "status") == "unreachable").Sum(r => r.Value));
        if (readings.FirstOrDefault(r => r.Instrument == "perf.disk.free_ratio") is { } disk) Add("perf.disk.free_percent", [], 100 * disk.Value);
        return [.. figures.Select(f => (f.Key, f.Value))];
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
        [.. tags.Where(t => t.Key != "source").Append(new("node", node)).OrderBy(t => t.Key, StringComparer.Ordinal)];
}
