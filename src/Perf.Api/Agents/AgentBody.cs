using Microsoft.AspNetCore.Http.Features;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Host;
using Perf.Protocols;

namespace Perf.Api.Agents;

/// <summary>
/// Reads an agent's request body within the limits: at most <c>perf.ingest.max_body_bytes</c> as sent (413), and a
/// gzip body (<c>Content-Encoding: gzip</c>) at most <c>perf.protocols.max_decoded_bytes</c> once inflated, checked
/// while inflating so a gzip bomb stops at the limit (see <see cref="Gzip"/>).
/// </summary>
public static class AgentBody
{
    /// <param name="contentEncoding">false where the protocol handles its own compression (remote write: snappy, undone by
    /// its codec): the body is then returned as sent, whatever Content-Encoding says.</param>
    public static async Task<(byte[]? Body, IResult? Refusal)> ReadAsync(HttpContext context, PerfEngine engine, bool contentEncoding, CancellationToken cancellationToken)
    {
        var maxBytes = engine.Settings.Engine.Ingest.MaxBodyBytes;
        if (context.Request.ContentLength > maxBytes) return (null, TooLarge(maxBytes, "perf.ingest.max_body_bytes"));
        var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = maxBytes;

        byte[] raw;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            raw = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes, "perf.ingest.max_body_bytes"));
        }

        var encoding = context.Request.Headers.ContentEncoding.ToString().Trim();
        if (!contentEncoding || encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase)) return (raw, null);
        if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            return (null, Refused("media_type", Problems.Invalid("Content-Encoding", $"'{encoding}' is not supported (gzip or none)",
                StatusCodes.Status415UnsupportedMediaType, "Unsupported media type")));
        return Inflate(raw, engine.Settings.Protocols.MaxDecodedBytes);
    }

    private static (byte[]? Body, IResult? Refusal) Inflate(byte[] raw, long limit)
    {
        try
        {
            return (Gzip.Inflate(raw, limit), null);
        }
        catch (ProtocolFormatException e)
        {
            return (null, e.TooLarge ? TooLarge(limit, "perf.protocols.max_decoded_bytes", "once gunzipped ") : Refused("invalid", Problems.Invalid(e.Field, e.Message)));
        }
    }

    public static IResult TooLarge(long limit, string key, string how = "") => Refused("too_large",
        Problems.Invalid("body", $"is {how}larger than the limit of {limit} bytes ({key})", StatusCodes.Status413PayloadTooLarge, "Payload too large"));

    /// <summary>Counts the refusal in <c>perf_requests_rejected_total</c> like the JSON endpoint does.</summary>
    public static IResult Refused(string reason, IResult answer)
    {
        PerfMetrics.RequestsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return answer;
    }
}
