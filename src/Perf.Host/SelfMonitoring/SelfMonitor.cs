using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Perf.Actors.Configuration;
using Perf.Actors.Ingestion;
using Perf.Actors.Telemetry;

namespace Perf.Host.SelfMonitoring;

/// <summary>
/// The node watching itself: every <c>perf.self_monitoring.interval</c> it reads the engine's instruments
/// (<see cref="MetricsReader"/>) and writes them, with the silent sources, recent failures, cluster reachability and free
/// disk, as series of the reserved host <see cref="SelfMonitoringSettings.Host"/> through its own ingestion pipeline,
/// so the detectors, the system alert rules, analysis and the dashboard apply to Perf as to any host. A failing
/// interval is logged and the next one tries again: watching must never stop the node.
/// </summary>
public sealed class SelfMonitor(PerfEngine engine, ActorSystem system, TimeProvider clock, ILogger<SelfMonitor> logger) : BackgroundService
{
    private static readonly IngestOrigin Origin = new("self", "perf");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = engine.Settings;
        var cluster = Cluster.Get(system);
        var failures = new FailureWindow(settings.SelfMonitoring.FailureWindow);
        var silentBefore = new HashSet<string>(StringComparer.Ordinal);
        using var reader = new MetricsReader();
        reader.Read(); // the first interval starts now
        var lastRead = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(settings.SelfMonitoring.Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Read every tick, and rate over the time that really passed (a late tick covers more).
                    var readings = reader.Read();
                    var elapsed = Stopwatch.GetElapsedTime(lastRead);
                    lastRead = Stopwatch.GetTimestamp();
                    var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                    var recent = failures.Add(now, readings);
                    if (cluster.SelfMember.Status != MemberStatus.Up) continue;
                    var silent = engine.Ingestion.Sources.Silent(3 * settings.Performance.CollectionInterval).Select(s => s.Host).ToArray();
                    var heardAgain = silentBefore.Except(silent).ToArray();
                    silentBefore = [.. silent];
                    var node = $"{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}";
                    await WriteAsync(SystemFigures.From(readings, new SystemFigures.Interval(node, elapsed, silent, heardAgain, recent)), now, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "The node's own figures of this interval were not written");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(IReadOnlyList<(string Metric, double Value)> figures, long nowMs, CancellationToken cancellationToken)
    {
        var series = figures.Where(f => double.IsFinite(f.Value)).Select(f => new SeriesSamples(f.Metric, [nowMs], [f.Value])).ToArray();
        var outcome = await engine.Ingestion.SubmitAsync(new IngestBatch([new HostSamples(SelfMonitoringSettings.Host, series)]), Origin, cancellationToken);
        if (outcome.Status != IngestStatus.Stored) logger.LogWarning("The node's own figures were not stored: {Status}", outcome.Status);
    }

    /// <summary>Members by status as this node sees them; the unreachable ones again under "unreachable".</summary>
    public static IEnumerable<Measurement<long>> Members(Cluster cluster)
    {
        var state = cluster.State;
        foreach (var group in state.Members.GroupBy(m => m.Status))
            yield return new Measurement<long>(group.Count(), new KeyValuePair<string, object?>("status", group.Key.ToString().ToLowerInvariant()));
        yield return new Measurement<long>(state.Unreachable.Count, new KeyValuePair<string, object?>("status", "unreachable"));
    }
}
