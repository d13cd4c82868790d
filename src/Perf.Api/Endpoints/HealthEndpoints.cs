using Perf.Host;

namespace Perf.Api.Endpoints;

/// <summary>Public (no key: probes and load balancers have none). Liveness (the process answers) and readiness (cluster member Up and database reachable).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Json(new { status = "live" })).AllowAnonymous();
        app.MapGet("/health/ready", async (PerfEngine engine, CancellationToken cancellationToken) =>
        {
            var (ready, reason) = await engine.ReadinessAsync(cancellationToken);
            return Results.Json(new { status = ready ? "ready" : "not_ready", reason },
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
