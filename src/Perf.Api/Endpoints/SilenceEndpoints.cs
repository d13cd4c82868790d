using System.Text.Json;
using Akka.Actor;
using Perf.Actors.Alerts;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Alerts.SilenceBookCommands;
using static Perf.Actors.Alerts.SilenceBookQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// Silences, like Alertmanager's (matchers on host, metric and rule; a start and an end; a comment), and acknowledging an
/// alert (no more repeats of its notification).
/// </summary>
public static class SilenceEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Longest silence: beyond it, a time no longer formats (and nobody means it).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3653);

    public static IEndpointRouteBuilder MapSilenceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/silences", async (string? state, HttpContext context, PerfEngine engine, TimeProvider clock) =>
        {
            if (state is not null && state is not ("active" or "pending" or "expired"))
                return Problems.Invalid("state", "must be active, pending or expired");
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var caller = Caller.From(context)!;
            var view = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout);
            var silences = view.Silences.Where(s => (state is null || StateOf(s, now) == state) && caller.CanManage(s.Host))
                .OrderByDescending(s => s.CreatedMs).Select(s => Json(s, now)).ToArray();
            return Results.Json(new { silences, count = silences.Length });
        }).RequireArea(Area.Read);
        app.MapGet("/api/v1/silences/{id}", async (string id, HttpContext context, PerfEngine engine, TimeProvider clock) =>
        {
            var view = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout);
            return view.Silences.FirstOrDefault(s => s.Id == id && Caller.From(context)!.CanManage(s.Host)) is { } silence
                ? Results.Json(Json(silence, clock.GetUtcNow().ToUnixTimeMilliseconds()))
                : Problems.NotFound("id", $"there is no silence '{id}'");
        }).RequireArea(Area.Read);
        app.MapPost("/api/v1/silences", CreateAsync).RequireArea(Area.Operate);
        app.MapDelete("/api/v1/silences/{id}", async (string id, HttpContext context, PerfEngine engine, TimeProvider clock) =>
        {
            var view = await engine.Silences.Ask<SilencesView>(GetSilences.Instance, AskTimeout);
            if (view.Silences.FirstOrDefault(s => s.Id == id) is { } silence && !Caller.From(context)!.CanManage(silence.Host))
                return Problems.Invalid("id", $"silence '{id}' covers hosts '{silence.Host}', beyond this key's hosts", StatusCodes.Status403Forbidden, "Forbidden");
            return await engine.Silences.Ask(new ExpireSilence(id, clock.GetUtcNow().ToUnixTimeMilliseconds()), AskTimeout) is SilencesView
                ? Results.NoContent()
                : Problems.NotFound("id", $"there is no silence '{id}'");
        }).RequireArea(Area.Operate);
        app.MapPost("/api/v1/alerts/{id}/ack", AcknowledgeAsync).RequireArea(Area.Operate);
        return app;
    }

    public static string StateOf(Silence silence, long nowMs) =>
        silence.IsActive(nowMs) ? "active" : nowMs < silence.StartsMs ? "pending" : "expired";

    private static object Json(Silence s, long nowMs) => new
    {
        id = s.Id,
        matchers = new { host = s.Host, metric = s.Metric, rule = s.Rule },
        starts_at = ApiJson.Time(s.StartsMs),
        ends_at = ApiJson.Time(s.EndsMs),
        comment = s.Comment,
        created_by = s.CreatedBy,
        created_at = ApiJson.Time(s.CreatedMs),
        state = StateOf(s, nowMs),
    };

    private static async Task<IResult> CreateAsync(HttpRequest request, PerfEngine engine, TimeProvider clock)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request);
        if (problem is not null) return problem;
        using (body)
        {
            var root = body!.RootElement;
            var errors = new List<FieldError>();
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            string Matcher(string name)
            {
                if (!root.TryGetProperty("matchers", out var matchers) || matchers.ValueKind != JsonValueKind.Object
                    || !matchers.TryGetProperty(name, out var value)) return "*";
                if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())) return value.GetString()!;
                errors.Add(new FieldError($"matchers.{name}", "must be a non-empty string (a name or a pattern with '*')"));
                return "*";
            }
            if (root.TryGetProperty("matchers", out var m) && m.ValueKind != JsonValueKind.Object)
                errors.Add(new FieldError("matchers", "must be an object with host, metric and/or rule"));
            var (host, metric, rule) = (Matcher("host"), Matcher("metric"), Matcher("rule"));
            if (host == "*" && metric == "*" && rule == "*" && !errors.Any(e => e.Field == "matchers"))
                errors.Add(new FieldError("matchers", "must narrow the silence to some host, metric or rule (use \"*\" only for some of them)"));
            var starts = Time(root, "starts_at", errors) ?? now;
            var ends = Time(root, "ends_at", errors);
            if (root.TryGetProperty("duration", out var duration))
            {
                if (duration.ValueKind == JsonValueKind.String && DurationParser.TryParse(duration.GetString(), out var span) && span > TimeSpan.Zero
                    && span <= MaxDuration)
                    ends ??= starts + (long)span.TotalMilliseconds;
                else errors.Add(new FieldError("duration", "must be a duration such as 30m or 2h"));
            }
            if (ends is null && !errors.Any(e => e.Field is "ends_at" or "duration")) errors.Add(new FieldError("ends_at", "is required (or give a duration)"));
            else if (ends is { } end && (end <= starts || end <= now)) errors.Add(new FieldError("ends_at", "must be after starts_at and in the future"));
            else if (ends is { } far && far > now + (long)MaxDuration.TotalMilliseconds) errors.Add(new FieldError("ends_at", "must be within 10 years"));
            var comment = root.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()!.Trim() : "";
            if (comment.Length == 0) errors.Add(new FieldError("comment", "is required: say why"));
            var createdBy = root.TryGetProperty("created_by", out var by) && by.ValueKind == JsonValueKind.String ? by.GetString()! : "";
            if (errors.Count > 0) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid silence");
            if (!Caller.From(request.HttpContext)!.CanManage(host))
                return Problems.Invalid("matchers.host", $"'{host}' reaches hosts beyond this key's: name one of its hosts, or one of its own patterns",
                    StatusCodes.Status403Forbidden, "Forbidden");

            var silence = new Silence(Guid.NewGuid().ToString("N")[..12], host, metric, rule, starts, ends!.Value, comment, createdBy, now);
            await engine.Silences.Ask<SilencesView>(new CreateSilence(silence), AskTimeout);
            return Results.Created($"/api/v1/silences/{silence.Id}", Json(silence, now));
        }
    }

    private static async Task<IResult> AcknowledgeAsync(string id, HttpRequest request, PerfEngine engine, AlertIndex index, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        string by = "", comment = "";
        var (body, problem) = await JsonBody.ReadObjectAsync(request, optional: true);
        if (problem is not null) return problem;
        if (body is not null)
        {
            using (body)
            {
                var root = body.RootElement;
                if (root.TryGetProperty("by", out var b) && b.ValueKind == JsonValueKind.String) by = b.GetString()!;
                if (root.TryGetProperty("comment", out var c) && c.ValueKind == JsonValueKind.String) comment = c.GetString()!;
            }
        }
        if (!(await index.AlertsAsync(cancellationToken)).TryGetValue(id, out var transitions)) return Problems.NotFound("id", $"there is no alert '{id}'");
        var caller = Caller.From(request.HttpContext)!;
        if (!caller.CanAccess(transitions[^1].Transition.Host)) return RequestGuards.HostRefused(transitions[^1].Transition.Host, "id");
        if (by.Length == 0) by = caller.Actor; // who acknowledged is on record even when the client does not say
        var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await engine.Silences.Ask<SilencesView>(new Acknowledge(new Acknowledgement(id, by, comment, at)), AskTimeout);
        return Results.Json(new { alert_id = id, acknowledged_by = by, acknowledged_at = ApiJson.Time(at), comment });
    }

    private static long? Time(JsonElement root, string name, List<FieldError> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String && TimestampParser.TryParse(value.GetString(), out var ms)) return ms;
        errors.Add(new FieldError(name, "must be an RFC 3339 time"));
        return null;
    }
}
