using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Perf.Actors.Telemetry;

/// <summary>
/// The engine's own measurements (System.Diagnostics.Metrics), exported at <c>/metrics</c>. One static meter so actors,
/// which are created by sharding without DI, can record without plumbing.
/// </summary>
public static class PerfMetrics
{
    public const string MeterName = "Perf";
    private static readonly Meter Meter = new(MeterName, "1.0");
    private static long _activeSeries;

    public static readonly Counter<long> PointsIngested =
        Meter.CreateCounter<long>("perf.points.ingested", "{point}", "Points persisted and acknowledged.");

    /// <summary>Tagged with <c>reason</c>: too_old, cardinality, overloaded, timeout.</summary>
    public static readonly Counter<long> PointsRejected =
        Meter.CreateCounter<long>("perf.points.rejected", "{point}", "Points refused, by reason.");

    /// <summary>Whole requests refused before any point was read from them, tagged with <c>reason</c>: invalid, too_large, media_type.</summary>
    public static readonly Counter<long> RequestsRejected =
        Meter.CreateCounter<long>("perf.requests.rejected", "{request}", "Ingestion requests refused as malformed, too large or of the wrong type.");

    public static readonly Histogram<double> JournalWriteLatency =
        Meter.CreateHistogram<double>("perf.journal.write.duration", "ms", "Time from a series' journal write to its confirmation.");

    public static readonly Histogram<long> JournalWritePoints =
        Meter.CreateHistogram<long>("perf.journal.write.points", "{point}", "Points carried by one journal write (group commit).");

    public static readonly Histogram<double> DetectorTime =
        Meter.CreateHistogram<double>("perf.detector.duration", "us", "Time all detectors of a series spend on one point (averaged over a journal write).");

    public static readonly Counter<long> AnomaliesDetected =
        Meter.CreateCounter<long>("perf.anomalies.detected", "{anomaly}", "Findings of the detectors (spikes, change points, ensemble alerts) persisted.");

    /// <summary>Tagged with <c>detector</c>.</summary>
    public static readonly Counter<long> DetectorFailures =
        Meter.CreateCounter<long>("perf.detector.failures", "{failure}", "Detectors that threw and were restarted afresh.");

    /// <summary>Tagged with <c>to</c>: pending, firing, resolved, inactive, flapping.</summary>
    public static readonly Counter<long> AlertTransitions =
        Meter.CreateCounter<long>("perf.alerts.transitions", "{transition}", "Alert state changes persisted, by the state entered.");

    /// <summary>Tagged with <c>kind</c>: firing, resolved, flapping.</summary>
    public static readonly Counter<long> NotificationsQueued =
        Meter.CreateCounter<long>("perf.notifications.queued", "{notification}", "Notifications the dispatcher decided to send.");

    /// <summary>Tagged with <c>channel</c>.</summary>
    public static readonly Counter<long> NotificationsDelivered =
        Meter.CreateCounter<long>("perf.notifications.delivered", "{delivery}", "Notifications a channel accepted.");

    /// <summary>Tagged with <c>channel</c>.</summary>
    public static readonly Counter<long> NotificationsFailed =
        Meter.CreateCounter<long>("perf.notifications.failed", "{delivery}", "Notifications given up on after their last retry.");

    /// <summary>Tagged with <c>channel</c>.</summary>
    public static readonly Histogram<long> NotificationLatency =
        Meter.CreateHistogram<long>("perf.notifications.delivery.duration", "ms", "From the decision to notify to the channel's acceptance (retries included).");

    static PerfMetrics()
    {
        Meter.CreateObservableGauge("perf.series.active", () => Interlocked.Read(ref _activeSeries), "{series}", "Series actors running in this process.");
        Meter.CreateObservableGauge("perf.process.resident_memory", () => Process.GetCurrentProcess().WorkingSet64, "By", "Resident set size of this process.");
    }

    public static void SeriesStarted() => Interlocked.Increment(ref _activeSeries);
    public static void SeriesStopped() => Interlocked.Decrement(ref _activeSeries);
    public static long ActiveSeries => Interlocked.Read(ref _activeSeries);
}
