namespace Perf.Actors.Reports;

/// <summary>Everything a report file shows, whatever its format.</summary>
/// <param name="Metrics">host by host, in the order of the spec's hosts, then of its metrics.</param>
/// <param name="Hosts">each host's alerts and recommendations, when they were gathered.</param>
public sealed record ReportData(
    string Id, ReportSpec Spec, long BucketMs, long GeneratedMs, IReadOnlyList<MetricReport> Metrics, IReadOnlyDictionary<string, HostContext>? Hosts = null)
{
    public HostContext ContextOf(string host) => Hosts?.GetValueOrDefault(host) ?? new HostContext([], []);

    public IEnumerable<IGrouping<string, MetricReport>> ByHost => Metrics.GroupBy(m => m.Host);

    public string Title => Spec.ReportType switch
    {
        "trend" => "Trend report",
        "anomaly" => "Anomaly report",
        "capacity" => "Capacity report",
        _ => "Performance summary",
    };
}
