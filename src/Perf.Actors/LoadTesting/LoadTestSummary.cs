using Perf.Analytics.Aggregation;
using Perf.Analytics.LoadTesting;

namespace Perf.Actors.LoadTesting;

/// <summary>
/// What a load test measured: totals, the whole run's latency histogram (percentiles from every response, never an
/// average of per-second figures), responses per status code and failures per kind, and the knee of a ramp.
/// </summary>
/// <param name="Requests">requests sent.</param>
/// <param name="Responses">requests that ended (with a response or a failure).</param>
/// <param name="Errors">responses with status 400 or above, and failures (refused, timed out, broken connection).</param>
/// <param name="Codes">status codes ("200", "503") and failure kinds ("timeout", "connection_refused", "transport"), paired with <paramref name="CodeCounts"/>.</param>
/// <param name="LastSecondMs">start of the newest second recorded; 0 before the first.</param>
public sealed record LoadTestSummary(
    long Requests,
    long Responses,
    long Errors,
    string[] Codes,
    long[] CodeCounts,
    int[] LatencyBuckets,
    long[] LatencyCounts,
    long LatencyMinUs,
    long LatencyMaxUs,
    double PeakThroughput,
    long FirstSecondMs,
    long LastSecondMs,
    KneeResult? Knee)
{
    public static readonly LoadTestSummary Empty = new(0, 0, 0, [], [], [], [], 0, 0, 0, 0, 0, null);

    public LatencyHistogram Latency() => LatencyHistogram.Import(LatencyBuckets, LatencyCounts, LatencyMinUs, LatencyMaxUs);
}
