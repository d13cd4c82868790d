using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Perf.Actors.Security;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Host;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Api.Dashboard;

/// <summary>
/// What the dashboard (<c>wwwroot/</c>) needs beyond the public API: the overview of every host in one answer
/// (<c>GET /api/v1/dashboard/overview</c>) and a Server-Sent Events stream of the latest values
/// (<c>GET /api/v1/dashboard/stream</c>) that keeps the pages live without reloading.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/dashboard/overview", async (HttpContext context, DashboardOverview overview, TimeProvider clock, CancellationToken cancellationToken) =>
            Results.Json(Json(await overview.RowsAsync(Caller.From(context)!.CanAccess, sparklines: true, fresh: true, cancellationToken), clock))).RequireArea(Area.Read);
        app.MapGet("/api/v1/dashboard/stream", StreamAsync).RequireArea(Area.Read).DisableRequestTimeout();
        return app;
    }

    /// <summary>
    /// Every <c>perf.dashboard.refresh_interval</c>, an <c>overview</c> event (the overview without sparklines) or, with
    /// <c>?host=</c>, a <c>host</c> event with that host's latest value of every series; with <c>?tick=true</c>, only an
    /// empty <c>tick</c> event (for pages that refresh something else on the same beat). The stream ends when the client
    /// goes, the node stops, or the caller's key is revoked (checked again before every event).
    /// </summary>
    private static async Task StreamAsync(HttpContext context, string? host, bool? tick, PerfEngine engine, DashboardOverview overview, TimeProvider clock,
        ApiKeyRegistry keys, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        if (host is not null && !Ingest.MetricsDocumentParser.IsValidHost(host))
        {
            await Problems.Invalid("host", "is not a valid host name").ExecuteAsync(context);
            return;
        }
        // A host-scoped key asking for another host was turned away by RequestGuards already.
        var caller = Caller.From(context)!;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var token = ending.Token;
        var watching = KeyRevocation.EndWhenRevokedAsync(keys, caller, ending);
        var sequence = 0L;
        try
        {
            await response.WriteAsync(": connected\n\n", token);
            using var timer = new PeriodicTimer(engine.Settings.Dashboard.RefreshInterval, clock);
            do
            {
                var (name, payload) = tick is true ? ("tick", (object)new { })
                    : host is null ? ("overview", Json(await overview.RowsAsync(caller.CanAccess, sparklines: false, fresh: sequence == 0, token), clock))
                    : ("host", await HostJsonAsync(host, engine, token));
                var frame = $"id: {(++sequence).ToString(CultureInfo.InvariantCulture)}\nevent: {name}\ndata: {JsonSerializer.Serialize(payload, options)}\n\n";
                await response.WriteAsync(frame, Encoding.UTF8, token);
                await response.Body.FlushAsync(token);
            }
            while (await timer.WaitForNextTickAsync(token));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page went away, the node is stopping, or the key was revoked.
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            // The engine did not answer in time: the page reconnects and tries again.
            loggers.CreateLogger(typeof(DashboardEndpoints)).LogWarning(e, "Dashboard stream ended: the engine did not answer");
        }
        await ending.CancelAsync();
        await watching;
    }

    private static async Task<object> HostJsonAsync(string host, PerfEngine engine, CancellationToken cancellationToken)
    {
        var answer = await engine.Hosts.Ask(new GetHost(host), AskTimeout, cancellationToken);
        var series = answer is HostView view ? view.Series : [];
        return new
        {
            host,
            series = series.Where(s => s.TimestampMs > 0)
                .Select(s => new { metric = s.Metric, timestamp = ApiJson.Time(s.TimestampMs), value = ApiJson.Number(s.Value) }),
        };
    }

    private static object Json(IReadOnlyList<DashboardOverview.HostRow> rows, TimeProvider clock) => new
    {
        generated_at = ApiJson.Time(clock.GetUtcNow().ToUnixTimeMilliseconds()),
        metrics = DashboardOverview.Metrics,
        hosts = rows.Select(row => new
        {
            host = row.Host,
            health = row.Health,
            last_seen = row.LastSeenMs > 0 ? ApiJson.Time(row.LastSeenMs) : null,
            series_count = row.SeriesCount,
            metrics = DashboardOverview.Metrics.ToDictionary(m => m, m => row.Latest.TryGetValue(m, out var s)
                ? new { timestamp = (string?)ApiJson.Time(s.TimestampMs), value = ApiJson.Number(s.Value) }
                : null),
            sparklines = row.Sparklines?.ToDictionary(s => s.Key, s => new double?[][]
            {
                [.. s.Value.Timestamps.Select(t => (double?)t)], [.. s.Value.Values.Select(ApiJson.Number)],
            }),
            active_alerts = row.ActiveAlerts.Select(a => new
            {
                id = a.Alert.AlertId,
                metric = a.Alert.Metric,
                state = a.State,
                severity = ApiJson.Name(a.Alert.Severity),
                value = ApiJson.Number(a.Alert.Value),
                since = ApiJson.Time(a.Alert.TimestampMs),
            }),
        }),
        count = rows.Count,
    };
}
