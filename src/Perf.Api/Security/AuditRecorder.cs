using Akka.Actor;
using Perf.Actors.Security;
using Perf.Host;

namespace Perf.Api.Security;

/// <summary>
/// Records every change (any method but GET/HEAD on an endpoint of an area other than ingestion) and every
/// <see cref="AuditedRead"/> in the audit trail, with who, what, when, from where and how it ended, and holds the
/// answer's first byte until the entry is stored: a change is never acknowledged without its record. It sits in front
/// of authentication and authorisation, so their refusals (401, 403, 413) are on record as well as the endpoints' own.
/// Not recorded: ingestion (its volume would drown the trail) and refusals for rate (429: a flood would drown it too;
/// <see cref="AuthenticationThrottle"/> logs them in aggregate).
/// </summary>
public sealed class AuditRecorder(RequestDelegate next, PerfEngine engine, TimeProvider clock, ILogger<AuditRecorder> logger)
{
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(10);

    public Task InvokeAsync(HttpContext context)
    {
        if (IsAudited(context)) context.Response.OnStarting(() => RecordAsync(context));
        return next(context);
    }

    private static bool IsAudited(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<AreaMetadata>() is not { } area || area.Area == Area.Ingest) return false;
        var isChange = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        return isChange || endpoint.Metadata.GetMetadata<AuditedRead>() is not null;
    }

    private async Task RecordAsync(HttpContext context)
    {
        if (context.Response.StatusCode == StatusCodes.Status429TooManyRequests) return;
        var caller = Caller.From(context);
        var entry = new AuditEntry(
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            caller?.Actor ?? "anonymous",
            caller?.Role.ToString().ToLowerInvariant() ?? "",
            $"{context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path}",
            context.Request.Path.Value ?? "",
            context.Response.StatusCode,
            context.Connection.RemoteIpAddress?.ToString() ?? "");
        try
        {
            await engine.Audit.Ask<AuditTrail.Recorded>(entry, RecordTimeout, context.RequestAborted);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // The change is made; refusing the answer now would not undo it. Loudly, so an operator finds the gap.
            logger.LogError("Audit entry not stored for {Action} by {Actor}: {Reason}", entry.Action, entry.Actor, e.Message);
        }
    }
}
