using Google.Protobuf;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Host;
using Perf.Protocols;
using Perf.Protocols.Otlp;
using Perf.Protocols.Otlp.Wire;

using Perf.Api.Ingest;

namespace Perf.Api.Agents;

/// <summary>
/// <c>POST /v1/metrics</c>: OTLP/HTTP metrics in protobuf (<c>application/x-protobuf</c>) or JSON
/// (<c>application/json</c>), plain or gzip. Answers 200 with an <c>ExportMetricsServiceResponse</c> in the request's
/// encoding once every sample is in the journal; refused data points (see <see cref="OtlpConverter"/>) are reported in
/// its <c>partial_success</c>. A body that does not decode: 400; backpressure: 429 or 503 with Retry-After, both of
/// which OTLP exporters retry.
/// </summary>
public static class OtlpEndpoint
{
    public static async Task<IResult> ExportAsync(HttpContext context, PerfEngine engine, TimeProvider clock, OtlpConverter converter, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType ?? "";
        var json = contentType.StartsWith(OtlpCodec.JsonContentType, StringComparison.OrdinalIgnoreCase);
        if (!json && !contentType.StartsWith(OtlpCodec.ProtobufContentType, StringComparison.OrdinalIgnoreCase))
            return IngestBody.Refused("media_type", Problems.Invalid("Content-Type", "must be application/x-protobuf or application/json",
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));

        var (body, refusal) = await IngestBody.ReadAsync(context, engine, contentEncoding: true, cancellationToken);
        if (refusal is not null) return refusal;

        ExportMetricsServiceRequest request;
        try
        {
            using (body) request = json ? OtlpCodec.ParseJson(body!.Span) : OtlpCodec.ParseProtobuf(body!.Span);
        }
        catch (ProtocolFormatException e)
        {
            return IngestBody.Refused("invalid", Problems.Invalid(e.Field, e.Message));
        }

        var settings = engine.Settings;
        var window = SampleWindow.At(clock.GetUtcNow(), settings.Performance.RetentionPeriod, settings.Engine.Ingest.MaxFutureSkew);
        var conversion = converter.Convert(request, window);
        var rejected = conversion.Rejected;
        var reasons = conversion.Reasons.ToList();
        if (conversion.Batch.SampleCount > 0)
        {
            if (IngestHosts.Check(context, conversion.Batch.Hosts) is { } forbidden) return forbidden;
            using var samples = conversion.Batch.Build(engine.Ingestion.Series);
            var (outcome, failure) = await IngestSubmission.SubmitAsync(context, engine, samples, StatusCodes.Status429TooManyRequests, cancellationToken);
            if (failure is not null) return failure;
            if (outcome.RejectedTooOld > 0)
            {
                rejected += outcome.RejectedTooOld;
                reasons.Add($"{outcome.RejectedTooOld} samples were older than their series' newest point by more than perf.ingest.out_of_order_tolerance");
            }
        }
        if (conversion.Rejected > 0)
            PerfMetrics.PointsRejected.Add(conversion.Rejected, new KeyValuePair<string, object?>("reason", "invalid"), new KeyValuePair<string, object?>("protocol", "otlp"));

        var response = new ExportMetricsServiceResponse();
        if (rejected > 0)
            response.PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = rejected, ErrorMessage = string.Join("; ", reasons) };
        return json
            ? Results.Text(OtlpCodec.ToJson(response), OtlpCodec.JsonContentType, statusCode: StatusCodes.Status200OK)
            : Results.Bytes(response.ToByteArray(), OtlpCodec.ProtobufContentType);
    }
}
