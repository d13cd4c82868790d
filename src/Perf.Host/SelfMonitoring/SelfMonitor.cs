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
/// (<see cref="MetricsReader"/>) and writes them, with the silent sources, cluster reachability and free disk, as series
/// of the reserved host <see cref="SelfMonitoringSettings.Host"/> through its own ingestion pipeline, so the detectors,
/// the system alert rules, analysis and the dashboard apply to Perf as to any host.
/// </summary>
public sealed class SelfMonitor(PerfEngine engine, ActorSystem system, TimeProvider clock, ILogger<SelfMonitor> logger) : BackgroundService
{
    private static readonly IngestOrigin Origin = new("self", "perf");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = engine.Settings;
        var interval = settings.SelfMonitoring.Interval;
        var cluster = Cluster.Get(system);
        PerfMetrics.ObserveNode(() => Members(cluster), () => Disk(settings));
        using var reader = new MetricsReader();
        reader.Read(); // the first interval starts now
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (cluster.SelfMember.Status != MemberStatus.Up) continue;
                var node = $"{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}";
                var silent = engine.Ingestion.Sources.Silent(3 * settings.Performance.CollectionInterval).Count;
                var figures = SystemFigures.From(reader.Read(), node, interval, silent);
                await WriteAsync(figures, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(IReadOnlyList<(string Metric, double Value)> figures, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var series = figures.Where(f => double.IsFinite(f.Value)).Select(f => new SeriesSamples(f.Metric, [now], [f.Value])).ToArray();
        try
        {
            var outcome = await engine.Ingestion.SubmitAsync(new IngestBatch([new HostSamples(SelfMonitoringSettings.Host, series)]), Origin, cancellationToken);
            if (outcome.Status != IngestStatus.Stored) logger.LogWarning("The node's own figures were not stored: {Status}", outcome.Status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The node's own figures were not stored");
        }
    }

    /// <summary>Members by status as this node sees them; the unreachable ones again under "unreachable".</summary>
    private static IEnumerable<Measurement<long>> Members(Cluster cluster)
    {
        var state = cluster.State;
        foreach (var group in state.Members.GroupBy(m => m.Status))
            yield return new Measurement<long>(group.Count(), new KeyValuePair<string, object?>("status", group.Key.ToString().ToLowerInvariant()));
        yield return new Measurement<long>(state.Unreachable.Count, new KeyValuePair<string, object?>("status", "unreachable"));
    }

    private static DiskSpace? Disk(PerfSettings settings)
    {
        try
        {
            return DiskSpace.Of(settings.Engine.DataDirectory, settings.SelfMonitoring.DiskQuotaBytes);
        }
        catch (IOException)
        {
            return null; // the directory is being replaced (restore) or its file system is gone: no figure this time
        }
    }
}
