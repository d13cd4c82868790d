using Akka.Actor;
using System.Text.Json;
using Perf.Actors.Alerts;
using Perf.Actors.Configuration;
using Perf.Analytics.Time;
using Perf.Api.Alerts;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Actors.Series;
using Perf.Host;

using static Perf.Actors.Alerts.AlertEvents;
using static Perf.Actors.Alerts.AlertRuleBookCommands;
using static Perf.Actors.Alerts.AlertRuleBookQueries;
using static Perf.Actors.Alerts.SilenceBookQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// Alerts for people: the current state of every alert (from the alert log) and the rules (read, create, replace, delete).
/// The log itself streams from <see cref="AlertStreamEndpoints"/>.
/// </summary>
public static class AlertEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/alerts", ListAsync).RequireArea(Area.Read);
        app.MapGet("/api/v1/alerts/{id}", HistoryAsync).RequireArea(Area.Read);
        app.MapGet("/api/v1/alert-rules", async (HttpContext context, PerfEngine engine) =>
        {
            var caller = Caller.From(context)!;
            var view = await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout);
            return RulesJson(view with { Rules = [.. view.Rules.Where(r => caller.CanSee(r.Host))] });
        }).RequireArea(Area.Read);
        app.MapGet("/api/v1/alert-rules/{id}", async (string id, HttpContext context, PerfEngine engine) =>
        {
            var caller = Caller.From(context)!;
            var view = await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout);
            // Another host's rule is answered as if it did not exist: its id says nothing to a key that may not see it.
            return view.Rules.FirstOrDefault(r => r.Id == id && caller.CanSee(r.Host)) is { } rule
                ? Results.Json(AlertRuleJson.Write(rule))
                : Problems.NotFound("id", $"there is no alert rule '{id}'");
        }).RequireArea(Area.Read);
        app.MapPost("/api/v1/alert-rules", (HttpRequest request, PerfEngine engine, AlertRuleRegistry registry, AlertIndex index) =>
            SaveAsync(request, null, engine, registry, index)).RequireArea(Area.Operate);
        app.MapPut("/api/v1/alert-rules/{id}", (string id, HttpRequest request, PerfEngine engine, AlertRuleRegistry registry, AlertIndex index) =>
            SaveAsync(request, id, engine, registry, index)).RequireArea(Area.Operate);
        app.MapDelete("/api/v1/alert-rules/{id}", async (string id, HttpContext context, PerfEngine engine, AlertRuleRegistry registry, AlertIndex index) =>
        {
            if (await RefusedRuleAsync(id, Caller.From(context)!, engine) is { } refused) return refused;
            if (await engine.AlertRules.Ask(new DeleteRule(id), AskTimeout) is not RuleBookView view)
                return Problems.NotFound("id", $"there is no alert rule '{id}'");
            registry.Use(view);
            await ReapplyWhereOpenAsync(id, view.Version, engine, index, context.RequestAborted);
            return Results.NoContent();
        }).RequireArea(Area.Operate);
        return app;
    }

    /// <summary>
    /// The series with an alert of the rule still open apply the rules now: a series that went quiet (or was passivated)
    /// would otherwise keep the alert of a deleted rule firing, and renotified, until its next sample.
    /// </summary>
    private static async Task ReapplyWhereOpenAsync(string ruleId, long bookVersion, PerfEngine engine, AlertIndex index, CancellationToken cancellationToken)
    {
        var alerts = await index.AlertsAsync(cancellationToken);
        foreach (var series in alerts.Values
                     .Select(transitions => transitions[^1].Transition)
                     .Where(t => t.RuleId == ruleId && t.To is AlertState.Pending or AlertState.Firing or AlertState.Flapping)
                     .Select(t => new SeriesKey(t.Host, t.Metric).EntityId)
                     .Distinct())
            engine.Series.Tell(new SeriesCommands.ReapplyAlertRules(series, bookVersion));
    }

    /// <summary>POST creates (409 when the id exists), PUT creates or replaces; the rule applies to live series at once:
    /// this node takes the book's answer into its registry before replying, rather than waiting for the book's
    /// publication, so the next sample after the answer is already judged by the new rule.</summary>
    private static async Task<IResult> SaveAsync(HttpRequest request, string? pathId, PerfEngine engine, AlertRuleRegistry registry, AlertIndex index)
    {
        var (document, problem) = await JsonBody.ReadAsync(request);
        if (problem is not null) return problem;
        using (document)
        {
            var (rule, errors) = AlertRuleJson.Read(document!.RootElement, pathId);
            if (rule is null) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid alert rule");
            var caller = Caller.From(request.HttpContext)!;
            if (!caller.CanManage(rule.Host))
                return Problems.Invalid("host", $"'{rule.Host}' reaches hosts beyond this key's: name one of its hosts, or one of its own patterns",
                    StatusCodes.Status403Forbidden, "Forbidden");
            if (pathId is not null && await RefusedRuleAsync(pathId, caller, engine) is { } refused) return refused;
            if (pathId is null)
            {
                var existing = await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout);
                if (existing.Rules.Any(r => r.Id == rule.Id))
                    return Problems.Invalid("id", $"an alert rule '{rule.Id}' exists; PUT /api/v1/alert-rules/{rule.Id} replaces it", StatusCodes.Status409Conflict, "Conflict");
            }
            var saved = await engine.AlertRules.Ask<RuleBookView>(new SaveRule(rule), AskTimeout);
            registry.Use(saved);
            if (pathId is not null) await ReapplyWhereOpenAsync(rule.Id, saved.Version, engine, index, request.HttpContext.RequestAborted); // it may no longer match
            return pathId is null
                ? Results.Created($"/api/v1/alert-rules/{rule.Id}", AlertRuleJson.Write(rule))
                : Results.Json(AlertRuleJson.Write(rule));
        }
    }

    /// <summary>403 when the rule exists and reaches hosts beyond the caller's (replacing or deleting it would change
    /// alerting there); null otherwise.</summary>
    private static async Task<IResult?> RefusedRuleAsync(string id, Caller caller, PerfEngine engine)
    {
        if (!caller.IsHostScoped) return null;
        var book = await engine.AlertRules.Ask<RuleBookView>(GetRules.Instance, AskTimeout);
        return book.Rules.FirstOrDefault(r => r.Id == id) is { } existing && !caller.CanManage(existing.Host)
            ? Problems.Invalid("id", $"alert rule '{id}' covers hosts '{existing.Host}', beyond this key's", StatusCodes.Status403Forbidden, "Forbidden")
            : null;
    }

    private static IResult RulesJson(RuleBookView view) =>
        Results.Json(new { version = view.Version, rules = view.Rules.Select(AlertRuleJson.Write), count = view.Rules.Length });

    /// <summary>Each alert's latest state, newest change first, filtered by state, severity, host and metric patterns, and time.</summary>
    private static async Task<IResult> ListAsync(string? state, string? severity, string? host, string? metric, string? since,
        HttpContext context, AlertIndex index, PerfEngine engine, TimeProvider clock, CancellationToken cancellationToken)
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

        var caller = Caller.From(context)!;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var silences = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout, cancellationToken);
        var alerts = (await index.AlertsAsync(cancellationToken)).Values.Select(t => (First: t[0], Last: t[^1])).ToArray();
        var selected = alerts
            .Select(a => (a.First, a.Last, Overlay: Overlay(a.Last.Transition, silences, now)))
            .Where(a => state is null || a.Overlay.State == state)
            .Where(a => wantedSeverity is null || a.Last.Transition.Severity == wantedSeverity)
            .Where(a => hostPattern is null || hostPattern.Matches(a.Last.Transition.Host))
            .Where(a => caller.CanAccess(a.Last.Transition.Host))
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
                severity = ApiJson.Name(a.Last.Transition.Severity),
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

    /// <summary>One alert: its latest state and every transition of its episode, oldest first (its history).</summary>
    private static async Task<IResult> HistoryAsync(string id, HttpContext context, AlertIndex index, PerfEngine engine, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!(await index.AlertsAsync(cancellationToken)).TryGetValue(id, out var transitions)) return Problems.NotFound("id", $"there is no alert '{id}'");
        if (!Caller.From(context)!.CanAccess(transitions[^1].Transition.Host)) return RequestGuards.HostRefused(transitions[^1].Transition.Host, "id");
        var silences = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout, cancellationToken);
        var last = transitions[^1].Transition;
        var overlay = Overlay(last, silences, clock.GetUtcNow().ToUnixTimeMilliseconds());
        return Results.Json(new
        {
            id,
            rule = last.RuleId,
            rule_name = last.RuleName,
            host = last.Host,
            metric = last.Metric,
            state = overlay.State,
            severity = ApiJson.Name(last.Severity),
            started_at = ApiJson.Time(transitions[0].Transition.TimestampMs),
            updated_at = ApiJson.Time(last.TimestampMs),
            silenced_by = overlay.SilencedBy,
            acknowledged = overlay.Acknowledged is { } ack ? new { by = ack.By, at = ApiJson.Time(ack.AtMs), comment = ack.Comment } : null,
            transitions = transitions.Select(AlertStreamEndpoints.EventJson),
        });
    }

    /// <summary>An active alert (pending, firing, flapping) under an active silence shows as silenced.</summary>
    /// <summary>The alerts whose latest transition leaves them pending, firing or flapping, each with its state as people see it.</summary>
    public static IEnumerable<(AlertTransitioned Alert, string State)> Active(
        IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableList<AlertLogEntry>> alerts, SilencesView silences, long nowMs) =>
        alerts.Values
            .Select(transitions => transitions[^1].Transition)
            .Where(t => t.To is AlertState.Pending or AlertState.Firing or AlertState.Flapping)
            .Select(t => (t, Overlay(t, silences, nowMs).State));

    /// <summary>An alert's state as people see it: "silenced" while an active silence matches a live alert.</summary>
    public static (string State, string[] SilencedBy, Acknowledgement? Acknowledged) Overlay(AlertTransitioned alert, SilencesView silences, long nowMs)
    {
        var silencedBy = alert.To is AlertState.Pending or AlertState.Firing or AlertState.Flapping
            ? silences.Silences.Where(s => s.IsActive(nowMs) && s.Matches(alert)).Select(s => s.Id).ToArray()
            : [];
        var acknowledged = silences.Acknowledgements.FirstOrDefault(a => a.AlertId == alert.AlertId);
        return (silencedBy.Length > 0 ? "silenced" : ApiJson.Name(alert.To), silencedBy, acknowledged);
    }

}
