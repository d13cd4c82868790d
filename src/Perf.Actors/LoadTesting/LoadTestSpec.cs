namespace Perf.Actors.LoadTesting;

/// <summary>A load test as requested, validated by the API (allow-list and the caller's caps included).</summary>
/// <param name="HeaderNames">request headers, paired with <paramref name="HeaderValues"/> by position.</param>
/// <param name="Rate">requests per second to reach (after the ramp); 0 for a concurrency test.</param>
/// <param name="Concurrency">requests kept in flight (after the ramp); 0 for a rate test.</param>
/// <param name="TargetHost">the monitored host serving <paramref name="TargetUrl"/>, for the profile; empty when none.</param>
/// <param name="RequestedBy">the caller's actor id (key id or token subject), for the record.</param>
public sealed record LoadTestSpec(
    string TargetUrl,
    string Method,
    string[] HeaderNames,
    string[] HeaderValues,
    string Body,
    int Rate,
    int Concurrency,
    long DurationMs,
    long RampUpMs,
    string TargetHost,
    string RequestedBy)
{
    /// <summary>The load intended at <paramref name="elapsedMs"/> into the test: linear up to the full level over the ramp.</summary>
    public double LevelAt(long elapsedMs)
    {
        var full = Rate > 0 ? Rate : Concurrency;
        if (RampUpMs <= 0 || elapsedMs >= RampUpMs) return full;
        return full * Math.Max(0, elapsedMs) / (double)RampUpMs;
    }
}
