using System.Text.Json;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;

namespace Perf.Api.Endpoints;

/// <summary><c>POST /api/v1/performance/metrics</c>: the product document's "Collect Metrics".</summary>
public static class IngestEndpoints
{
    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/performance/metrics", CollectAsync).RequireArea(Area.Ingest).WithMetadata(BodySizeLimit.SetByEndpoint).CountedAs("json");
        return app;
    }

    /// <summary>Answers 202 only once every accepted point is committed.</summary>
    private static async Task<IResult> CollectAsync(HttpContext context, PerfEngine engine, MetricsDocumentParser parser, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType;
        if (contentType is null || !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            return IngestBody.Refused("media_type", Problems.Invalid("Content-Type", "must be application/json", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));

        var (body, refusal) = await IngestBody.ReadAsync(context, engine, contentEncoding: true, cancellationToken);
        if (refusal is not null) return refusal;
        SampleBatchBuilder parsed;
        using (body)
        {
            if (body!.Length == 0) return IngestBody.Refused("invalid", Problems.Invalid("body", "is empty; send a metrics object or an array of them"));
            if (JsonText.Problem(body.Segment) is { } text) return IngestBody.Refused("invalid", Problems.Invalid("body", text));
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body.Segment, new JsonDocumentOptions { MaxDepth = 16 });
            }
            catch (JsonException e)
            {
                return IngestBody.Refused("invalid", Problems.Invalid("body", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
            }
            using (document)
            {
                var (samples, errors) = parser.Parse(document.RootElement);
                if (samples is null) return IngestBody.Refused("invalid", Problems.Invalid(errors));
                parsed = samples;
            }
        }
        if (IngestHosts.Check(context, parsed.Hosts) is { } forbidden) return forbidden;

        using var batch = parsed.Build(engine.Ingestion.Series);
        var (outcome, failure) = await IngestSubmission.SubmitAsync(context, engine, batch, StatusCodes.Status429TooManyRequests, cancellationToken);
        return failure ?? Results.Json(new
        {
            accepted = outcome.Accepted,
            rejected = outcome.RejectedTooOld,
            rejected_series = outcome.RejectedSeries ?? new Dictionary<string, int>(),
        }, statusCode: StatusCodes.Status202Accepted);
    }
}
