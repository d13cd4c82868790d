using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Perf.Actors.Ingestion;
using Perf.Actors.Telemetry;
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

    /// <summary>Answers 202 only once every accepted point is in the journal.</summary>
    private static async Task<IResult> CollectAsync(HttpContext context, PerfEngine engine, MetricsDocumentParser parser, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType;
        if (contentType is not null && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            return Refused("media_type", Problems.Invalid("Content-Type", "must be application/json", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));

        var maxBytes = engine.Settings.Engine.Ingest.MaxBodyBytes;
        if (context.Request.ContentLength > maxBytes) return TooLarge(maxBytes);
        var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = maxBytes;

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        if (body.Length == 0) return Refused("invalid", Problems.Invalid("body", "is empty; send a metrics object or an array of them"));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return Refused("invalid", Problems.Invalid("body", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
        }

        IngestBatch batch;
        using (document)
        {
            var (parsed, errors) = parser.Parse(document.RootElement);
            if (parsed is null) return Refused("invalid", Problems.Invalid(errors));
            batch = parsed;
        }
        if (IngestHosts.Check(context, batch.Hosts.Select(h => h.Host)) is { } refused) return refused;

        var outcome = await engine.Ingestion.SubmitAsync(batch, IngestAccounting.Submitting(context), cancellationToken);
        IngestAccounting.Submitted(context);
        var retryAfter = engine.Settings.Engine.Ingest.RetryAfter;
        return outcome.Status switch
        {
            IngestStatus.Stored => Results.Json(new
            {
                accepted = outcome.Accepted,
                rejected = outcome.RejectedTooOld,
                rejected_series = outcome.RejectedSeries ?? new Dictionary<string, int>(),
            }, statusCode: StatusCodes.Status202Accepted),
            IngestStatus.Overloaded => Problems.RetryLater(context, StatusCodes.Status429TooManyRequests, retryAfter,
                "The engine is not keeping up; nothing of this request was stored. Send it again after Retry-After seconds."),
            IngestStatus.CardinalityExceeded => Problems.Invalid("host",
                $"host '{outcome.Host}' would exceed its limit of {outcome.SeriesLimit} series (perf.ingest.max_series_per_host); nothing was stored",
                StatusCodes.Status422UnprocessableEntity, "Too many series"),
            _ => Problems.RetryLater(context, StatusCodes.Status503ServiceUnavailable, retryAfter,
                "The writes did not confirm in time. Sending the same request again is safe: points with the same timestamps overwrite."),
        };
    }

    private static IResult Refused(string reason, IResult problem)
    {
        PerfMetrics.RequestsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return problem;
    }

    private static IResult TooLarge(long maxBytes) => Refused("too_large",
        Problems.Invalid("body", $"is larger than the limit of {maxBytes} bytes (perf.ingest.max_body_bytes)", StatusCodes.Status413PayloadTooLarge, "Payload too large"));
}
