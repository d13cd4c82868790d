using Perf.Actors.Security;
using Perf.Api.Security;
using Perf.Host;

using Perf.Api.Ingest;

namespace Perf.Api.Agents;

/// <summary>
/// The endpoints real agents write to, each in its own protocol: Prometheus remote write, InfluxDB line protocol (v1 and
/// v2 write APIs, and the <c>/query</c> Telegraf creates its database with) and OTLP/HTTP metrics. All in the ingest
/// area; each enforces <c>perf.ingest.max_body_bytes</c> itself, as the JSON endpoint does.
/// </summary>
public static class AgentEndpoints
{
    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        var engine = app.ServiceProvider.GetRequiredService<PerfEngine>();
        var converter = new OtlpConverter(engine.Settings.Protocols.OtlpHostAttributes, new CumulativeStreams());

        app.MapPost("/api/v1/write", RemoteWriteEndpoint.WriteAsync).RequireArea(Area.Ingest).WithMetadata(BodySizeLimit.SetByEndpoint).CountedAs("remote_write");
        app.MapPost("/write", LineProtocolEndpoint.WriteAsync).RequireArea(Area.Ingest).WithMetadata(BodySizeLimit.SetByEndpoint).CountedAs("line_protocol");
        app.MapPost("/api/v2/write", LineProtocolEndpoint.WriteAsync).RequireArea(Area.Ingest).WithMetadata(BodySizeLimit.SetByEndpoint).CountedAs("line_protocol");
        app.MapMethods("/query", ["GET", "POST"], LineProtocolEndpoint.QueryAsync).RequireArea(Area.Ingest);
        app.MapPost("/v1/metrics", (HttpContext context, PerfEngine node, TimeProvider clock, CancellationToken cancellationToken) =>
            OtlpEndpoint.ExportAsync(context, node, clock, converter, cancellationToken)).RequireArea(Area.Ingest).WithMetadata(BodySizeLimit.SetByEndpoint).CountedAs("otlp");
        return app;
    }
}
