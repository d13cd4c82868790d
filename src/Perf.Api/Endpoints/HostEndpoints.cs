using Akka.Actor;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Hosts.HostQueries;

namespace Perf.Api.Endpoints;

/// <summary>Analysts' view of hosts: which exist, and each one's series with their latest values.</summary>
public static class HostEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapHostEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/hosts", async (HttpContext context, PerfEngine engine) =>
        {
            var list = await engine.Directory.Ask<HostList>(ListHosts.Instance, AskTimeout);
            var caller = Caller.From(context)!;
            var hosts = list.Hosts.Where(caller.CanAccess).ToArray();
            return Results.Json(new { hosts, count = hosts.Length });
        }).RequireArea(Area.Read);
        app.MapGet("/api/v1/hosts/{host}", async (string host, PerfEngine engine) =>
        {
            if (!MetricsDocumentParser.IsValidHost(host)) return Problems.Invalid("host", "is not a valid host name");
            var answer = await engine.Hosts.Ask(new GetHost(host), AskTimeout);
            return answer switch
            {
                HostView view => Results.Json(new
                {
                    host = view.Host,
                    series_count = view.Series.Length,
                    series = view.Series.Select(s => new
                    {
                        metric = s.Metric,
                        timestamp = s.TimestampMs > 0 ? ApiJson.Time(s.TimestampMs) : null,
                        value = s.TimestampMs > 0 ? ApiJson.Number(s.Value) : null,
                    }),
                }),
                _ => Problems.NotFound("host", $"host '{host}' has no series"),
            };
        }).RequireArea(Area.Read);
        return app;
    }
}
