using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Perf.Actors.Configuration;
using Perf.Api.Http;

namespace Perf.Api.Security;

/// <summary>
/// Checks every routed request before its endpoint runs: caps the body at the endpoint's limit (413 past it), and keeps
/// a host-scoped caller to its hosts wherever the request names a host in its route or query (403 otherwise). Hosts
/// named inside bodies are checked by the endpoints that read them.
/// </summary>
public sealed class RequestGuards(RequestDelegate next, SecuritySettings settings)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null) return next(context);
        var sizeLimit = endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>();
        if (sizeLimit is null || sizeLimit.MaxRequestBodySize is not null)
        {
            var limit = sizeLimit?.MaxRequestBodySize ?? settings.MaxRequestBytes;
            var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = limit;
            if (context.Request.ContentLength > limit) return TooLarge(limit).ExecuteAsync(context);
        }

        if (Caller.From(context) is { IsHostScoped: true } caller)
        {
            var host = context.GetRouteValue("host") as string ?? context.Request.Query["host"].FirstOrDefault();
            if (host is not null && !caller.CanAccess(host)) return HostRefused(host).ExecuteAsync(context);
        }
        return next(context);
    }

    /// <summary>413 for a body over the endpoint's limit, whether announced (Content-Length) or found while reading.</summary>
    public static IResult TooLarge(long limit) =>
        Problems.Invalid("body", $"is larger than the limit of {limit} bytes for this endpoint (perf.security.max_request_bytes)",
            StatusCodes.Status413PayloadTooLarge, "Payload too large");

    /// <summary>The answer to a host-scoped caller naming a host outside its scope.</summary>
    public static IResult HostRefused(string host, string field = "host") =>
        Problems.Invalid(field, $"this key is not allowed to reach host '{host}'", StatusCodes.Status403Forbidden, "Forbidden");
}
