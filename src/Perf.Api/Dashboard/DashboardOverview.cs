using Akka.Actor;
using Perf.Actors.Alerts;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using Perf.Api.Endpoints;
using Perf.Api.Http;
using Perf.Host;
using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Alerts.SilenceBookQueries;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Api.Dashboard;

/// <summary>
/// The overview of every host, computed at most once per <c>perf.dashboard.refresh_interval</c> however many pages
/// watch it (each caller gets the rows its key may see). The asks go out a bounded number at a time, and a host whose
/// actors do not answer shows as "unknown" instead of failing the page.
/// </summary>
public sealed class DashboardOverview(PerfEngine engine, AlertIndex alerts, TimeProvider clock)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SparklineSpan = TimeSpan.FromHours(1);
    private const int SparklinePoints = 60;
    private const int AsksAtOnce = 32;

    /// <summary>The four figures the overview shows per host, in the series names ingestion gives them.</summary>
    public static readonly string[] Metrics = ["cpu.usage", "memory.usage", "disk.usage", "network.bytes_in"];

    private readonly SemaphoreSlim _computing = new(1, 1);
    private (long AtMs, bool Sparklines, IReadOnlyList<HostRow> Rows)? _latest;

    public sealed record HostRow(string Host, string Health, long LastSeenMs, int SeriesCount, IReadOnlyDictionary<string, SeriesLatest> Latest,
        IReadOnlyDictionary<string, RangeResult>? Sparklines, IReadOnlyList<(AlertTransitioned Alert, string State)> ActiveAlerts);

    /// <summary>
    /// The rows of the hosts <paramref name="canAccess"/> allows: computed now when <paramref name="fresh"/> (a page
    /// loading, a stream's first event), else no older than half a refresh interval (the streams' later events).
    /// </summary>
    public async Task<IReadOnlyList<HostRow>> RowsAsync(Func<string, bool> canAccess, bool sparklines, bool fresh, CancellationToken cancellationToken)
    {
        var maxAgeMs = fresh ? -1 : (long)engine.Settings.Dashboard.RefreshInterval.TotalMilliseconds / 2;
        await _computing.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (_latest is not { } latest || now - latest.AtMs > maxAgeMs || (sparklines && !latest.Sparklines))
                _latest = latest = (now, sparklines, await ComputeAsync(sparklines, now, cancellationToken));
            return [.. latest.Rows.Where(r => canAccess(r.Host))];
        }
        finally
        {
            _computing.Release();
        }
    }

    private async Task<IReadOnlyList<HostRow>> ComputeAsync(bool sparklines, long nowMs, CancellationToken cancellationToken)
    {
        var hosts = (await engine.Directory.Ask<HostList>(ListHosts.Instance, AskTimeout, cancellationToken)).Hosts.ToArray();
        var silences = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout, cancellationToken);
        var active = AlertEndpoints.Active(await alerts.AlertsAsync(cancellationToken), silences, nowMs)
            .GroupBy(a => a.Alert.Host).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var staleAfterMs = 3 * (long)engine.Settings.Performance.CollectionInterval.TotalMilliseconds;
        var rows = new HostRow[hosts.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Length),
            new ParallelOptions { MaxDegreeOfParallelism = AsksAtOnce, CancellationToken = cancellationToken },
            async (i, token) => rows[i] = await RowAsync(hosts[i], sparklines, nowMs, staleAfterMs, active.GetValueOrDefault(hosts[i], []), token));
        return rows;
    }

    private async Task<HostRow> RowAsync(string host, bool withSparklines, long nowMs, long staleAfterMs,
        List<(AlertTransitioned Alert, string State)> hostAlerts, CancellationToken cancellationToken)
    {
        try
        {
            var latest = await engine.Hosts.Ask(new GetHost(host), AskTimeout, cancellationToken) is HostView view
                ? view.Series.Where(s => s.TimestampMs > 0).ToDictionary(s => s.Metric)
                : [];
            var newestMs = latest.Count == 0 ? 0 : latest.Values.Max(s => s.TimestampMs);
            var sparklines = withSparklines ? await SparklinesAsync(host, latest.Keys, nowMs, cancellationToken) : null;
            return new HostRow(host, Health(hostAlerts, newestMs, nowMs, staleAfterMs), newestMs, latest.Count, latest, sparklines, hostAlerts);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HostRow(host, "unknown", 0, 0, new Dictionary<string, SeriesLatest>(), null, hostAlerts);
        }
    }

    /// <summary>The last hour of each overview metric, averaged into <see cref="SparklinePoints"/> buckets.</summary>
    private async Task<Dictionary<string, RangeResult>> SparklinesAsync(string host, IEnumerable<string> present, long nowMs, CancellationToken cancellationToken)
    {
        var stepMs = (long)SparklineSpan.TotalMilliseconds / SparklinePoints;
        var fromMs = nowMs - (long)SparklineSpan.TotalMilliseconds;
        var sparklines = new Dictionary<string, RangeResult>();
        foreach (var metric in Metrics.Intersect(present))
            if (await engine.Series.Ask(new ReadRange(new SeriesKey(host, metric).EntityId, fromMs, nowMs, stepMs, AggregationKind.Avg), AskTimeout, cancellationToken) is RangeResult range)
                sparklines[metric] = range;
        return sparklines;
    }

    /// <summary>
    /// critical from a firing critical alert, warning from any other firing or flapping alert (silenced ones do not
    /// count), then stale when nothing arrived for three collection intervals, else ok.
    /// </summary>
    public static string Health(IReadOnlyCollection<(AlertTransitioned Alert, string State)> active, long newestMs, long nowMs, long staleAfterMs)
    {
        var loud = active.Where(a => a.State != "silenced").Select(a => a.Alert).ToArray();
        if (loud.Any(a => a.To == AlertState.Firing && a.Severity == AlertSeverity.Critical)) return "critical";
        if (loud.Any(a => a.To is AlertState.Firing or AlertState.Flapping)) return "warning";
        if (newestMs == 0 || nowMs - newestMs > staleAfterMs) return "stale";
        return "ok";
    }
}
