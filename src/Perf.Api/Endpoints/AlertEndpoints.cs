using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Analytics.Time;
using Perf.Api.Alerts;
using Perf.Api.Http;
using Perf.Host;
using Akka.Actor;
using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Alerts.AlertRuleBookCommands;
using static Perf.Actors.Alerts.AlertRuleBookQueries;
using static Perf.Actors.Alerts.SilenceBookQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// Alerts for people and for downstream systems: the current state of every alert (from the alert log), the log itself
/// as a Server-Sent Events stream that resumes from <c>Last-Event-ID</c>, and the rules (read, create, replace, delete).
/// </summary>
public static class AlertEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts", ListAsync);
        app.MapGet("/api/v1/alerts/stream", StreamAsync);
        app.MapGet("/api/v1/alert-rules", async (PerfEngine engine) =>
            RulesJson(await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout)));
        app.MapGet("/api/v1/alert-rules/{id}", async (string id, PerfEngine engine) =>
        {
            var view = await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout);
            return view.Rules.FirstOrDefault(r => r.Id == id) is { } rule
                ? Results.Json(AlertRuleJson.Write(rule))
                : Problems.NotFound("id", $"there is no alert rule '{id}'");
        });
        app.MapPost("/api/v1/alert-rules", (HttpRequest request, PerfEngine engine) => SaveAsync(request, null, engine));
        app.MapPut("/api/v1/alert-rules/{id}", (string id, HttpRequest request, PerfEngine engine) => SaveAsync(request, id, engine));
        app.MapDelete("/api/v1/alert-rules/{id}", async (string id, PerfEngine engine) =>
            await engine.AlertRules.Ask(new DeleteRule(id), AskTimeout) is RuleBookView
                ? Results.NoContent()
                : Problems.NotFound("id", $"there is no alert rule '{id}'"));
        return app;
    }

    /// <summary>POST creates (409 when the id exists), PUT creates or replaces; the rule applies to live series at once.</summary>
    private static async Task<IResult> SaveAsync(HttpRequest request, string? pathId, PerfEngine engine)
    {
        var (document, problem) = await JsonBody.ReadAsync(request);
        if (problem is not null) return problem;
        using (document)
        {
            var (rule, errors) = AlertRuleJson.Read(document!.RootElement, pathId);
            if (rule is null) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid alert rule");
            if (pathId is null)
            {
                var existing = await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout);
                if (existing.Rules.Any(r => r.Id == rule.Id))
                    return Problems.Invalid("id", $"an alert rule '{rule.Id}' exists; PUT /api/v1/alert-rules/{rule.Id} replaces it", StatusCodes.Status409Conflict, "Conflict");
            }
            await engine.AlertRules.Ask<RuleBookView>(new SaveRule(rule), AskTimeout);
            return pathId is null
                ? Results.Created($"/api/v1/alert-rules/{rule.Id}", AlertRuleJson.Write(rule))
                : Results.Json(AlertRuleJson.Write(rule));
        }
    }

    private static IResult RulesJson(RuleBookView view) =>
        Results.Json(new { version = view.Version, rules = view.Rules.Select(AlertRuleJson.Write), count = view.Rules.Length });

    /// <summary>Each alert's latest state, newest change first, filtered by state, severity, host and metric patterns, and time.</summary>
    private static async Task<IResult> ListAsync(string? state, string? severity, string? host, string? metric, string? since,
        AlertLog log, PerfEngine engine, TimeProvider clock, CancellationToken cancellationToken)
    {
        string[] states = ["pending", "firing", "resolved", "inactive", "flapping", "silenced"];
        if (state is not null && !states.Contains(state)) return Problems.Invalid("state", $"must be one of {string.Join(", ", states)}");
        AlertSeverity? wantedSeverity = null;
        if (severity is not null)
        {
            if (!Enum.TryParse<AlertSeverity>(severity, ignoreCase: true, out var parsed) || parsed == AlertSeverity.None || int.TryParse(severity, out _))
                return Problems.Invalid("severity", "must be warning or critical");
            wantedSeverity = parsed;
        }
        var sinceMs = long.MinValue;
        if (since is not null)
        {
            if (DurationParser.TryParse(since, out var ago)) sinceMs = clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)ago.TotalMilliseconds;
            else if (!TimestampParser.TryParse(since, out sinceMs)) return Problems.Invalid("since", "must be a time (RFC 3339, Unix) or a duration back from now (1h)");
        }
        var hostPattern = host is null ? null : new MetricPattern(host);
        var metricPattern = metric is null ? null : new MetricPattern(metric);

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var silences = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout, cancellationToken);
        var alerts = new Dictionary<string, (AlertLogEntry First, AlertLogEntry Last)>();
        foreach (var entry in await log.ReadAsync(0, cancellationToken))
        {
            var id = entry.Transition.AlertId;
            alerts[id] = alerts.TryGetValue(id, out var seen) ? (seen.First, entry) : (entry, entry);
        }
        var selected = alerts.Values
            .Select(a => (a.First, a.Last, Overlay: Overlay(a.Last.Transition, silences, now)))
            .Where(a => state is null || a.Overlay.State == state)
            .Where(a => wantedSeverity is null || a.Last.Transition.Severity == wantedSeverity)
            .Where(a => hostPattern is null || hostPattern.Matches(a.Last.Transition.Host))
            .Where(a => metricPattern is null || metricPattern.Matches(a.Last.Transition.Metric))
            .Where(a => a.Last.Transition.TimestampMs >= sinceMs)
            .OrderByDescending(a => a.Last.Offset)
            .Select(a => new
            {
                id = a.Last.Transition.AlertId,
                rule = a.Last.Transition.RuleId,
                rule_name = a.Last.Transition.RuleName,
                host = a.Last.Transition.Host,
                metric = a.Last.Transition.Metric,
                state = a.Overlay.State,
                severity = Name(a.Last.Transition.Severity),
                value = ApiJson.Number(a.Last.Transition.Value),
                threshold = ApiJson.Number(a.Last.Transition.Threshold),
                started_at = ApiJson.Time(a.First.Transition.TimestampMs),
                updated_at = ApiJson.Time(a.Last.Transition.TimestampMs),
                silenced_by = a.Overlay.SilencedBy,
                acknowledged = a.Overlay.Acknowledged is { } ack
                    ? new { by = ack.By, at = ApiJson.Time(ack.AtMs), comment = ack.Comment }
                    : null,
                last_event_id = a.Last.Offset,
            })
            .ToArray();
        return Results.Json(new { alerts = selected, count = selected.Length });
    }

    /// <summary>
    /// The alert log as Server-Sent Events: every transition after <c>Last-Event-ID</c> (header, or the
    /// <c>last_event_id</c> parameter; none = from the beginning), then each new one as it is stored. Event ids are log
    /// offsets, so a client that reconnects with the last id it saw receives exactly what it missed.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, string? last_event_id, string? host, string? metric, AlertLog log,
        Akka.Actor.ActorSystem system, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var raw = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? last_event_id;
        long after = 0;
        if (!string.IsNullOrEmpty(raw) && (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            await Problems.Invalid("Last-Event-ID", "must be the id of an event of this stream (a whole number)").ExecuteAsync(context);
            return;
        }
        var hostPattern = host is null ? null : new MetricPattern(host);
        var metricPattern = metric is null ? null : new MetricPattern(metric);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync(": connected\n\n", context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);

        var events = log.Follow(after)
            .Where(e => (hostPattern is null || hostPattern.Matches(e.Transition.Host)) && (metricPattern is null || metricPattern.Matches(e.Transition.Metric)))
            .Select(e => (AlertLogEntry?)e)
            .KeepAlive<AlertLogEntry?, AlertLogEntry?, Akka.NotUsed>(KeepAlive, () => null) // a comment now and then keeps proxies from closing an idle stream
            .RunAsAsyncEnumerable(system.Materializer());
        try
        {
            await foreach (var entry in events.WithCancellation(context.RequestAborted))
            {
                var frame = entry is null
                    ? ": keep-alive\n\n"
                    : $"id: {entry.Offset.ToString(CultureInfo.InvariantCulture)}\nevent: alert\ndata: {JsonSerializer.Serialize(EventJson(entry), json.Value.SerializerOptions)}\n\n";
                await response.WriteAsync(frame, Encoding.UTF8, context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>An active alert (pending, firing, flapping) under an active silence shows as silenced.</summary>
    private static (string State, string[] SilencedBy, Acknowledgement? Acknowledged) Overlay(AlertTransitioned alert, SilencesView silences, long nowMs)
    {
        var silencedBy = alert.To is AlertState.Pending or AlertState.Firing or AlertState.Flapping
            ? silences.Silences.Where(s => s.IsActive(nowMs) && s.Matches(alert)).Select(s => s.Id).ToArray()
            : [];
        var acknowledged = silences.Acknowledgements.FirstOrDefault(a => a.AlertId == alert.AlertId);
        return (silencedBy.Length > 0 ? "silenced" : Name(alert.To), silencedBy, acknowledged);
    }

    /// <summary>One transition as the stream and the notifications carry it.</summary>
    public static object EventJson(AlertLogEntry entry)
    {
        var t = entry.Transition;
        return new
        {
            id = entry.Offset,
            alert_id = t.AlertId,
            rule = t.RuleId,
            rule_name = t.RuleName,
            host = t.Host,
            metric = t.Metric,
            from = Name(t.From),
            to = Name(t.To),
            severity = Name(t.Severity),
            timestamp = ApiJson.Time(t.TimestampMs),
            value = ApiJson.Number(t.Value),
            threshold = ApiJson.Number(t.Threshold),
            recorded_at = ApiJson.Time(t.RecordedMs),
        };
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
