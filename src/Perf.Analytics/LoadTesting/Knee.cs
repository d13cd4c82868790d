namespace Perf.Analytics.LoadTesting;

/// <summary>
/// The knee of a load ramp: the first offered rate at which latency, errors or throughput stopped following the load.
/// </summary>
/// <remarks>
/// Judged per second against a baseline of the first (lightest) quarter of the seconds with traffic. A turn must hold
/// for <see cref="Sustain"/> seconds in a row, so one slow second (a GC pause on either side) is not a knee. Latency
/// turns at twice the baseline p95 (and at least <see cref="MinLatencyRiseMs"/> above it, so a 1 ms baseline does not
/// make 2 ms a knee); errors at <see cref="ErrorRateLimit"/>; throughput when responses fall below
/// <see cref="ThroughputShare"/> of the offered rate (requests queue or are refused instead of being served).
/// </remarks>
public static class Knee
{
    public const int Sustain = 2;
    public const double LatencyFactor = 2;
    public const double MinLatencyRiseMs = 5;
    public const double ErrorRateLimit = 0.05;
    public const double ThroughputShare = 0.8;

    /// <summary>Null when the load never turned (or there are too few seconds with traffic to tell).</summary>
    public static KneeResult? Find(IReadOnlyList<LoadSecond> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var busy = seconds.Where(s => s.Throughput > 0 && double.IsFinite(s.P95Ms)).OrderBy(s => s.SecondMs).ToArray();
        if (busy.Length < Sustain + 2) return null;
        var early = busy.Take(Math.Max(2, busy.Length / 4)).Select(s => s.P95Ms).Order().ToArray();
        var baseline = early[early.Length / 2];
        var latencyLimit = Math.Max(baseline * LatencyFactor, baseline + MinLatencyRiseMs);

        for (var i = 0; i + Sustain <= busy.Length; i++)
        {
            var window = busy.AsSpan(i, Sustain);
            var reason = Holds(window, s => s.ErrorRate > ErrorRateLimit) ? "errors"
                : Holds(window, s => s.P95Ms > latencyLimit) ? "latency"
                : Holds(window, s => s.OfferedRate > 0 && s.Throughput < ThroughputShare * s.OfferedRate) ? "throughput"
                : null;
            if (reason is not null) return new KneeResult(busy[i].OfferedRate, busy[i].SecondMs, reason, baseline, busy[i].Throughput);
        }
        return null;
    }

    private static bool Holds(ReadOnlySpan<LoadSecond> window, Func<LoadSecond, bool> condition)
    {
        foreach (var second in window)
            if (!condition(second)) return false;
        return true;
    }
}
