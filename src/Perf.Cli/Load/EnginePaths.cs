namespace Perf.Cli.Load;

/// <summary>The engine's HTTP paths the benchmarks use.</summary>
public static class EnginePaths
{
    public const string IngestMetrics = "api/v1/performance/metrics";
    public const string PrometheusMetrics = "metrics";

    /// <summary><c>api/v1/series/{host}/{metric}/state</c> with both segments escaped.</summary>
    public static string SeriesState(string host, string metric) =>
        $"api/v1/series/{Uri.EscapeDataString(host)}/{Uri.EscapeDataString(metric)}/state";

    /// <summary><c>api/v1/hosts/{host}</c>: every series of the host with its latest point.</summary>
    public static string Host(string host) => $"api/v1/hosts/{Uri.EscapeDataString(host)}";
}
