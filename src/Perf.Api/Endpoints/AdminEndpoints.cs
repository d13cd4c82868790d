using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Authorization;
using Perf.Actors.Security;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Api.Security;
using Perf.Host;
using static Perf.Actors.Security.KeyBookCommands;
using static Perf.Actors.Security.KeyBookQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// Administration: API keys (created, listed by prefix, revoked), the audit trail, the effective configuration (secrets
/// masked), and the table of endpoints with the area each belongs to (what a role reaches). Admin role only.
/// </summary>
public static class AdminEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] KeyFields = ["name", "role", "hosts", "rate_limit"];

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/admin/keys", CreateKeyAsync).RequireArea(Area.Admin);
        app.MapGet("/api/v1/admin/keys", async (PerfEngine engine) =>
        {
            var view = await engine.Keys.Ask<KeyBookView>(GetKeys.Instance, AskTimeout);
            var keys = view.Keys.Select(Json).ToArray();
            return Results.Json(new { keys, count = keys.Length });
        }).RequireArea(Area.Admin);
        app.MapGet("/api/v1/admin/keys/{id}", async (string id, PerfEngine engine) =>
        {
            var view = await engine.Keys.Ask<KeyBookView>(GetKeys.Instance, AskTimeout);
            return view.Keys.FirstOrDefault(k => k.Id == id) is { } key ? Results.Json(Json(key)) : Problems.NotFound("id", $"there is no key '{id}'");
        }).RequireArea(Area.Admin);
        app.MapDelete("/api/v1/admin/keys/{id}", RevokeKeyAsync).RequireArea(Area.Admin);
        app.MapGet("/api/v1/admin/audit", ReadAuditAsync).RequireArea(Area.Admin);
        app.MapGet("/api/v1/admin/config", (EffectiveConfiguration configuration) =>
            Results.Json(new { file = configuration.File, settings = configuration.Settings() })).RequireArea(Area.Admin).Audited();
        app.MapGet("/api/v1/admin/endpoints", (EndpointDataSource endpoints) => Results.Json(new { endpoints = Table(endpoints) })).RequireArea(Area.Admin);
        return app;
    }

    /// <summary>Every routed endpoint with its methods and area ("public" when it needs no key).</summary>
    public static object[] Table(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => new
            {
                method,
                route = e.RoutePattern.RawText,
                area = e.Metadata.GetMetadata<AreaMetadata>() is { } area ? ApiJson.Name(area.Area)
                    : e.Metadata.GetMetadata<IAllowAnonymous>() is not null ? "public" : "none",
            }))
            .OrderBy(e => e.route, StringComparer.Ordinal).ThenBy(e => e.method, StringComparer.Ordinal)
            .ToArray<object>();

    private static object Json(ApiKey k) => new
    {
        id = k.Id,
        prefix = k.Prefix,
        name = k.Name,
        role = ApiJson.Name(k.Role),
        hosts = k.Hosts,
        rate_limit = k.RateLimit is { } limit ? new { requests_per_second = limit.RequestsPerSecond, burst = limit.Burst } : null,
        created_at = ApiJson.Time(k.CreatedMs),
        created_by = k.CreatedBy,
        revoked_at = k.RevokedMs is { } revoked ? ApiJson.Time(revoked) : null,
        revoked_by = k.RevokedBy,
        state = k.Revoked ? "revoked" : "active",
    };

    private static async Task<IResult> CreateKeyAsync(HttpContext context, PerfEngine engine, ApiKeyRegistry registry, TimeProvider clock)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        using (body)
        {
            var root = body!.RootElement;
            var errors = new List<FieldError>();
            RequestFields.Unknown(root, KeyFields, "a key", errors);
            var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!.Trim() : "";
            if (name.Length is 0 or > 200) errors.Add(new FieldError("name", "is required: say what the key is for (at most 200 characters)"));
            var role = RoleGrants.Parse(root.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
            if (role is null) errors.Add(new FieldError("role", "must be one of ingest, read, analyst, operator, admin"));
            var hosts = RequestFields.Names(root, "hosts", "host names or patterns ('*' wildcards)", required: false, _ => false, errors);
            // Key management, backups and the cluster reach every host's data: an admin key cannot be narrowed to some.
            if (role == Role.Admin && hosts.Count > 0)
                errors.Add(new FieldError("hosts", "an admin key covers the whole engine (its keys, backups, cluster); host scope is for ingest, read, analyst and operator keys"));
            var rateLimit = RateLimit(root, errors);
            if (errors.Count > 0) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid key");

            var (id, token, salt, hash) = ApiKeySecret.Generate();
            var key = new ApiKey(id, name, role!.Value, [.. hosts], rateLimit, salt, hash, clock.GetUtcNow().ToUnixTimeMilliseconds(),
                Caller.From(context)!.Actor);
            registry.Use(await engine.Keys.Ask<KeyBookView>(new CreateKey(key), AskTimeout));
            // The only time the key itself is shown: the book keeps its hash.
            return Results.Created($"/api/v1/admin/keys/{id}", new { key = token, details = Json(key) });
        }
    }

    private static KeyRateLimit? RateLimit(JsonElement root, List<FieldError> errors)
    {
        if (!root.TryGetProperty("rate_limit", out var limit) || limit.ValueKind == JsonValueKind.Null) return null;
        int Field(string name)
        {
            if (limit.ValueKind == JsonValueKind.Object && limit.TryGetProperty(name, out var v) && v.TryGetInt32(out var value) && value is >= 1 and <= 1_000_000)
                return value;
            errors.Add(new FieldError($"rate_limit.{name}", "must be a whole number from 1 to 1000000"));
            return 0;
        }
        var (perSecond, burst) = (Field("requests_per_second"), Field("burst"));
        return perSecond > 0 && burst > 0 ? new KeyRateLimit(perSecond, burst) : null;
    }

    private static async Task<IResult> RevokeKeyAsync(string id, HttpContext context, PerfEngine engine, ApiKeyRegistry registry, TimeProvider clock)
    {
        var answer = await engine.Keys.Ask(new RevokeKey(id, Caller.From(context)!.Actor, clock.GetUtcNow().ToUnixTimeMilliseconds()), AskTimeout);
        if (answer is not KeyBookView view) return Problems.NotFound("id", $"there is no key '{id}'");
        registry.Use(view);
        return Results.Json(Json(view.Keys.First(k => k.Id == id)));
    }

    private static async Task<IResult> ReadAuditAsync(long? after, int? limit, AuditLog log, CancellationToken cancellationToken)
    {
        if (after is < 0) return Problems.Invalid("after", "must be an offset from a previous page (0 or more)");
        if (limit is < 1 or > 10_000) return Problems.Invalid("limit", "must be from 1 to 10000");
        var entries = await log.ReadAsync(after ?? 0, limit ?? 1000, cancellationToken);
        return Results.Json(new
        {
            entries = entries.Select(e => new
            {
                offset = e.Offset,
                time = ApiJson.Time(e.Entry.AtMs),
                actor = e.Entry.Actor,
                role = e.Entry.Role,
                action = e.Entry.Action,
                target = e.Entry.Target,
                status = e.Entry.Status,
                remote_address = e.Entry.RemoteAddress,
            }).ToArray(),
            next = entries.Count > 0 ? entries[^1].Offset : after ?? 0,
        });
    }
}
