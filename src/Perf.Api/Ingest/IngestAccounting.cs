using System.Diagnostics;
using Perf.Actors.Ingestion;
using Perf.Actors.Telemetry;
using Perf.Api.Security;

namespace Perf.Api.Ingest;

/// <summary>
/// What every ingestion endpoint measures the same way: requests by protocol and outcome (<c>perf.ingest.requests</c>,
/// the basis of the "rising rejection rate" system alert), and the parse and reply stages of the write path
/// (<see cref="StageProfile"/>). An endpoint opts in with <see cref="CountedAs"/> and calls <see cref="Submitting"/> and
/// <see cref="Submitted"/> around its hand-over to the ingestion pipeline.
/// </summary>
public static class IngestAccounting
{
    private const string StartedKey = "perf.ingest.started";
    private const string SubmittedKey = "perf.ingest.submitted";

    /// <summary>The endpoint's protocol, as <see cref="IngestOrigin.Protocol"/> and the metrics' tag.</summary>
    public sealed record IngestProtocol(string Name);

    public static RouteHandlerBuilder CountedAs(this RouteHandlerBuilder endpoint, string protocol) =>
        endpoint.WithMetadata(new IngestProtocol(protocol)).AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            context.Items[StartedKey] = Stopwatch.GetTimestamp();
            context.Response.OnCompleted(() =>
            {
                Completed(context, protocol);
                return Task.CompletedTask;
            });
            return await next(invocation);
        });

    /// <summary>The body is decoded: the parse stage ends. Returns the batch's origin for the pipeline.</summary>
    public static IngestOrigin Submitting(HttpContext context)
    {
        if (context.Items[StartedKey] is long started) StageProfile.Parse.Record(Stopwatch.GetElapsedTime(started));
        var protocol = context.GetEndpoint()?.Metadata.GetMetadata<IngestProtocol>()?.Name ?? "unknown";
        return new IngestOrigin(protocol, Caller.From(context)?.Actor ?? "anonymous");
    }

    /// <summary>The pipeline has answered: the reply stage runs until the response is written.</summary>
    public static void Submitted(HttpContext context) => context.Items[SubmittedKey] = Stopwatch.GetTimestamp();

    private static void Completed(HttpContext context, string protocol)
    {
        if (context.Items[SubmittedKey] is long submitted) StageProfile.Reply.Record(Stopwatch.GetElapsedTime(submitted));
        var status = context.Response.StatusCode;
        var outcome = status switch
        {
            < 400 => "accepted",
            // The body itself was refused: malformed, too large, of a type or encoding not taken.
            StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType
                or StatusCodes.Status422UnprocessableEntity => "rejected",
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "refused",
            StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout => "retry",
            _ => "error",
        };
        PerfMetrics.IngestRequests.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("outcome", outcome));
    }
}
