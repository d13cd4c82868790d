using Perf.Actors.Configuration;
using Perf.Api.Agents;
using Perf.Api.Http;
using Perf.Api.Security;

namespace Perf.Api.Ingest;

/// <summary>The hosts a batch may write, checked by every ingestion endpoint before anything is stored.</summary>
public static class IngestHosts
{
    /// <summary>
    /// 422 for the reserved host <c>perf-system</c> (only the engine writes its own figures: a sender could otherwise fake
    /// a node's health), 403 when the caller's key may not write one of the hosts. Null when the batch may go ahead.
    /// </summary>
    public static IResult? Check(HttpContext context, IEnumerable<string> hosts)
    {
        var caller = Caller.From(context);
        foreach (var host in hosts)
        {
            if (host == SelfMonitoringSettings.Host)
                return IngestBody.Refused("reserved", Problems.Invalid("host", $"'{host}' is reserved for the engine's own figures",
                    StatusCodes.Status422UnprocessableEntity, "Reserved host"));
            if (caller is { IsHostScoped: true } && !caller.CanAccess(host)) return IngestBody.Refused("forbidden", RequestGuards.HostRefused(host));
        }
        return null;
    }
}
