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
    private static long _alertLogReaders;
    private static long _alertLogFollowers;
    private static long _recoveringHosts;
    // Every message to every persistent actor moves the mailbox depth: one counter would be one cache line all cores
    // fight over, so each of 16 stripes (a cache line apart) takes the threads that hash to it, and the gauge sums them.
    private const int Stripes = 16;
    private const int StripeSpacing = 8; // longs: 64 bytes
    private static readonly long[] _queuedMessages = new long[Stripes * StripeSpacing];

    /// <summary>Tagged with <c>protocol</c> (json, remote_write, line_protocol, otlp, loadtest, self) and <c>source</c> (the sending key).</summary>
    public static readonly Counter<long> PointsIngested =
        Meter.CreateCounter<long>("perf.points.ingested", "{point}", "Points persisted and acknowledged.");

    /// <summary>Tagged with <c>reason</c> (too_old, cardinality, overloaded, timeout, invalid) and, where known, <c>protocol</c>.</summary>
    public static readonly Counter<long> PointsRejected =
        Meter.CreateCounter<long>("perf.points.rejected", "{point}", "Points refused, by reason.");

    /// <summary>Whole requests refused before any point was read from them, tagged with <c>reason</c>: invalid, too_large, media_type.</summary>
    public static readonly Counter<long> RequestsRejected =
        Meter.CreateCounter<long>("perf.requests.rejected", "{request}", "Ingestion requests refused as malformed, too large or of the wrong type.");

    /// <summary>
    /// Tagged with <c>protocol</c> and <c>outcome</c>: accepted (2xx), rejected (400, 413, 415, 422: the body refused),
    /// refused (401, 403), retry (429, 503, 504), error (other 5xx).
    /// </summary>
    public static readonly Counter<long> IngestRequests =
        Meter.CreateCounter<long>("perf.ingest.requests", "{request}", "Ingestion requests answered, by protocol and outcome.");

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

    public static readonly Histogram<double> AlertEvaluationLatency =
        Meter.CreateHistogram<double>("perf.alerts.evaluation.duration", "ms", "Time a series' alert rules take to evaluate one batch of new points.");

    public static readonly Counter<long> HostModelFailures =
        Meter.CreateCounter<long>("perf.host_model.failures", "{failure}", "Host models (PCA over a host's series) that failed to train.");

    /// <summary>Tagged with <c>status</c>: done, failed.</summary>
    public static readonly Histogram<double> ReportDuration =
        Meter.CreateHistogram<double>("perf.reports.duration", "s", "Time to generate a report, from start to stored or failed.");

    public static readonly Counter<long> ReportsFailed =
        Meter.CreateCounter<long>("perf.reports.failed", "{report}", "Reports whose generation failed.");

    /// <summary>Tagged with <c>kind</c> (scaling, cache, load_balancing) and <c>action</c>.</summary>
    public static readonly Counter<long> OptimizerDecisions =
        Meter.CreateCounter<long>("perf.optimizer.decisions", "{decision}", "Recommendations the optimizer took.");

    /// <summary>
    /// Tagged with <c>kind</c>: the change of the watched metric's mean from the window before a decision to the same
    /// length of time after it, in percent of the before value (negative: the metric went down).
    /// </summary>
    public static readonly Histogram<double> OptimizerImpact =
        Meter.CreateHistogram<double>("perf.optimizer.impact", "%", "Observed change of the metric a decision was taken on, after against before.");

    public static readonly Counter<long> SeriesPassivated =
        Meter.CreateCounter<long>("perf.series.passivated", "{series}", "Series whose host stopped after being idle (it starts again on its next message).");

    static PerfMetrics()
    {
        Meter.CreateObservableGauge("perf.series.active", () => Interlocked.Read(ref _activeSeries), "{series}", "Series held by the hosts running in this process.");
        Meter.CreateObservableGauge("perf.process.resident_memory", () => Process.GetCurrentProcess().WorkingSet64, "By", "Resident set size of this process.");
        Meter.CreateObservableGauge("perf.alert_log.readers", () => Interlocked.Read(ref _alertLogReaders), "{query}",
            "Live queries of the alert log this node runs (one feeds every stream client and the notification dispatcher).");
        Meter.CreateObservableGauge("perf.alert_log.followers", () => Interlocked.Read(ref _alertLogFollowers), "{follower}",
            "Followers of this node's alert log: stream clients (SSE, WebSocket) and the notification dispatcher.");
        Meter.CreateObservableGauge("perf.series.recovering", () => Interlocked.Read(ref _recoveringHosts), "{host}", "Hosts reading back their snapshot and log (their series answer once they are done).");
        Meter.CreateObservableGauge("perf.mailbox.depth", QueuedMessages, "{message}", "Messages waiting in the mailboxes of the persistent actors (series, hosts, alerts, books).");
        Meter.CreateObservableGauge("perf.cluster.members", () => Volatile.Read(ref _clusterMembers)(), "{member}",
            "Cluster members as this node sees them, by status; unreachable ones also under status=unreachable.");
        Meter.CreateObservableGauge<double>("perf.disk.free_ratio", () => Volatile.Read(ref _disk)() is { } d ? [new Measurement<double>(d.FreeRatio)] : [], "1",
            "Share of the data directory's space still free (0-1; against perf.self_monitoring.disk_quota when one is set).");
        Meter.CreateObservableGauge<long>("perf.disk.free_bytes", () => Volatile.Read(ref _disk)() is { } d ? [new Measurement<long>(d.FreeBytes)] : [], "By",
            "Bytes still free for the data directory.");
    }

    /// <summary>A host holds <paramref name="count"/> more series (it recovered them, or they are new).</summary>
    public static void SeriesStarted(int count) => Interlocked.Add(ref _activeSeries, count);

    /// <summary>A host that held <paramref name="count"/> series stopped (or is rebuilding them).</summary>
    public static void SeriesStopped(int count) => Interlocked.Add(ref _activeSeries, -count);

    /// <summary>A live query of the alert log started (+1) or ended (-1).</summary>
    public static void AlertLogReaders(int change) => Interlocked.Add(ref _alertLogReaders, change);

    /// <summary>A follower of the alert log joined (+1) or left (-1).</summary>
    public static void AlertLogFollowers(int change) => Interlocked.Add(ref _alertLogFollowers, change);

    public static void HostRecovering() => Interlocked.Increment(ref _recoveringHosts);

    public static void HostRecovered() => Interlocked.Decrement(ref _recoveringHosts);

    public static long ActiveSeries => Interlocked.Read(ref _activeSeries);

    /// <summary>Called by the compact mailbox as messages come and go (one atomic add on this thread's stripe).</summary>
    public static void MessagesQueued(int delta) =>
        Interlocked.Add(ref _queuedMessages[(Environment.CurrentManagedThreadId & (Stripes - 1)) * StripeSpacing], delta);

    private static long QueuedMessages()
    {
        long total = 0;
        for (var i = 0; i < Stripes; i++) total += Interlocked.Read(ref _queuedMessages[i * StripeSpacing]);
        return total;
    }

    /// <summary>
    /// The gauges that need the node (cluster membership, the data directory's disk), read through whatever the running
    /// node registered here (the latest one, when a test process starts several).
    /// </summary>
    public static void ObserveNode(Func<IEnumerable<Measurement<long>>> clusterMembers, Func<DiskSpace?> disk)
    {
        Volatile.Write(ref _clusterMembers, clusterMembers);
        Volatile.Write(ref _disk, disk);
    }

    private static Func<IEnumerable<Measurement<long>>> _clusterMembers = () => [];
    private static Func<DiskSpace?> _disk = () => null;
}
