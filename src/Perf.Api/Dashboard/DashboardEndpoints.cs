using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Perf.Actors.Alerts;
using Perf.Actors.Security;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Host;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Api.Dashboard;

/// <summary>
/// What the dashboard (<c>wwwroot/</c>) needs beyond the public API: the overview of every host in one answer
/// (<c>GET /api/v1/dashboard/overview</c>) and a Server-Sent Events stream of the latest values
/// (<c>GET /api/v1/dashboard/stream</c>) that keeps the pages live without reloading.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SparklineSpan = TimeSpan.FromHours(1);
    private const int SparklinePoints = 60;

    /// <summary>The four figures the overview shows per host, in the series names ingestion gives them.</summary>
    public static readonly string[] OverviewMetrics = ["cpu.usage", "memory.usage", "disk.usage", "network.bytes_in"];

    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/dashboard/overview", OverviewAsync).RequireArea(Area.Read);
        app.MapGet("/api/v1/dashboard/stream", StreamAsync).RequireArea(Area.Read).DisableRequestTimeout();
        return app;
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, PerfEngine engine, AlertIndex alerts, TimeProvider clock, CancellationToken cancellationToken) =>
        Results.Json(await OverviewJsonAsync(context, engine, alerts, clock, withSparklines: true, cancellationToken));

    /// <summary>
    /// Every <c>perf.dashboard.refresh_interval</c>, an <c>overview</c> event (the overview without sparklines) or, with
    /// <c>?host=</c>, a <c>host</c> event with that host's latest value of every series. The page appends each to its charts.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, string? host, PerfEngine engine, AlertIndex alerts, TimeProvider clock)
    {
        if (host is not null && !Ingest.MetricsDocumentParser.IsValidHost(host))
        {
            await Problems.Invalid("host", "is not a valid host name").ExecuteAsync(context);
            return;
        }
        // A host-scoped key asking for another host was turned away by RequestGuards already.
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var aborted = context.RequestAborted;
        var sequence = 0L;
        try
        {
            await response.WriteAsync(": connected\n\n", aborted);
            using var timer = new PeriodicTimer(engine.Settings.Dashboard.RefreshInterval, clock);
            do
            {
                object payload = host is null
                    ? await OverviewJsonAsync(context, engine, alerts, clock, withSparklines: false, aborted)
                    : await HostJsonAsync(host, engine);
                var frame = $"id: {(++sequence).ToString(CultureInfo.InvariantCulture)}\nevent: {(host is null ? "overview" : "host")}\ndata: {JsonSerializer.Serialize(payload, options)}\n\n";
                await response.WriteAsync(frame, Encoding.UTF8, aborted);
                await response.Body.FlushAsync(aborted);
            }
            while (await timer.WaitForNextTickAsync(aborted));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away.
        }
    }

    private static async Task<object> HostJsonAsync(string host, PerfEngine engine)
    {
        var answer = await engine.Hosts.Ask(new GetHost(host), AskTimeout);
        var series = answer is HostView view ? view.Series : [];
        return new
        {
            host,
            series = series.Where(s => s.TimestampMs > 0)
                .Select(s => new { metric = s.Metric, timestamp = ApiJson.Time(s.TimestampMs), value = ApiJson.Number(s.Value) }),
        };
    }

    private static async Task<object> OverviewJsonAsync(HttpContext context, PerfEngine engine, AlertIndex alerts, TimeProvider clock, bool withSparklines,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(context)!;
        var list = await engine.Directory.Ask<HostList>(ListHosts.Instance, AskTimeout, cancellationToken);
        var hosts = list.Hosts.Where(caller.CanAccess).ToArray();
        var active = ActiveAlertsByHost(await alerts.AlertsAsync(cancellationToken));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var staleAfterMs = 3 * (long)engine.Settings.Performance.CollectionInterval.TotalMilliseconds;
        var rows = await Task.WhenAll(hosts.Select(async host =>
        {
            var latest = await engine.Hosts.Ask(new GetHost(host), AskTimeout, cancellationToken) is HostView view
                ? view.Series.Where(s => s.TimestampMs > 0).ToDictionary(s => s.Metric)
                : [];
            var newestMs = latest.Count == 0 ? 0 : latest.Values.Max(s => s.TimestampMs);
            var hostAlerts = active.GetValueOrDefault(host, []);
            var sparklines = withSparklines ? await SparklinesAsync(engine, host, latest.Keys, now, cancellationToken) : null;
            return new
            {
                host,
                health = Health(hostAlerts, newestMs, now, staleAfterMs),
                last_seen = newestMs > 0 ? ApiJson.Time(newestMs) : null,
                series_count = latest.Count,
                metrics = OverviewMetrics.ToDictionary(m => m, m => latest.TryGetValue(m, out var s)
                    ? new { timestamp = (string?)ApiJson.Time(s.TimestampMs), value = ApiJson.Number(s.Value) }
                    : null),
                sparklines,
                active_alerts = hostAlerts.Select(a => new
                {
                    id = a.AlertId,
                    metric = a.Metric,
                    state = ApiJson.Name(a.To),
                    severity = ApiJson.Name(a.Severity),
                    value = ApiJson.Number(a.Value),
                    since = ApiJson.Time(a.TimestampMs),
                }),
            };
        }));
        return new { generated_at = ApiJson.Time(now), metrics = OverviewMetrics, hosts = rows, count = rows.Length };
    }

    /// <summary>The last hour of each overview metric, averaged into <see cref="SparklinePoints"/> buckets.</summary>
    private static async Task<Dictionary<string, double?[][]>> SparklinesAsync(PerfEngine engine, string host, IEnumerable<string> present, long nowMs,
        CancellationToken cancellationToken)
    {
        var stepMs = (long)SparklineSpan.TotalMilliseconds / SparklinePoints;
        var fromMs = nowMs - (long)SparklineSpan.TotalMilliseconds;
        var metrics = OverviewMetrics.Intersect(present).ToArray();
        var answers = await Task.WhenAll(metrics.Select(metric =>
            engine.Series.Ask(new ReadRange(new SeriesKey(host, metric).EntityId, fromMs, nowMs, stepMs, AggregationKind.Avg), AskTimeout, cancellationToken)));
        var sparklines = new Dictionary<string, double?[][]>();
        for (var i = 0; i < metrics.Length; i++)
            if (answers[i] is RangeResult range)
                sparklines[metrics[i]] = [[.. range.Timestamps.Select(t => (double?)t)], [.. range.Values.Select(ApiJson.Number)]];
        return sparklines;
    }

    /// <summary>Alerts whose latest transition leaves them pending, firing or flapping, by host.</summary>
    private static Dictionary<string, List<AlertEvents.AlertTransitioned>> ActiveAlertsByHost(IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableList<AlertLogEntry>> alerts)
    {
        var byHost = new Dictionary<string, List<AlertEvents.AlertTransitioned>>(StringComparer.Ordinal);
        foreach (var transitions in alerts.Values)
        {
            var last = transitions[^1].Transition;
            if (last.To is not (AlertState.Pending or AlertState.Firing or AlertState.Flapping)) continue;
            if (!byHost.TryGetValue(last.Host, out var list)) byHost[last.Host] = list = [];
            list.Add(last);
        }
        return byHost;
    }

    /// <summary>critical or warning from the worst firing alert, stale when nothing arrived for three collection intervals, else ok.</summary>
    public static string Health(IReadOnlyCollection<AlertEvents.AlertTransitioned> active, long newestMs, long nowMs, long staleAfterMs)
    {
        if (active.Any(a => a.To == AlertState.Firing && a.Severity == AlertSeverity.Critical)) return "critical";
        if (active.Any(a => a.To is AlertState.Firing or AlertState.Flapping)) return "warning";
        if (newestMs == 0 || nowMs - newestMs > staleAfterMs) return "stale";
        return "ok";
    }
}
