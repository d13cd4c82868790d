using Akka.Actor;
using Microsoft.AspNetCore.Http.HttpResults;
using Perf.Actors.Security;
using Perf.Host;

namespace Perf.Api.Security;

/// <summary>
/// Records every change (and every <see cref="AuditedRead"/>) in the audit trail with who, what, when, from where and
/// how it ended, and waits until the entry is stored before the answer goes out: a change is never acknowledged
/// without its record. Ingestion is not a change in this sense (its volume would drown the trail).
/// </summary>
public sealed class AuditFilter(PerfEngine engine, TimeProvider clock, ILogger<AuditFilter> logger) : IEndpointFilter
{
    private static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(10);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var endpoint = context.GetEndpoint();
        var isChange = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        if (endpoint?.Metadata.GetMetadata<AreaMetadata>()?.Area == Area.Ingest
            || (!isChange && endpoint?.Metadata.GetMetadata<AuditedRead>() is null))
            return await next(invocation);

        var result = await next(invocation);
        var caller = Caller.From(context);
        var entry = new AuditEntry(
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            caller?.Actor ?? "anonymous",
            caller?.Role.ToString().ToLowerInvariant() ?? "",
            $"{context.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path}",
            context.Request.Path.Value ?? "",
            StatusOf(result, context),
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
        return result;
    }

    private static int StatusOf(object? result, HttpContext context) => result switch
    {
        IStatusCodeHttpResult { StatusCode: { } status } => status,
        IResult => StatusCodes.Status200OK,
        _ => context.Response.StatusCode,
    };
}
