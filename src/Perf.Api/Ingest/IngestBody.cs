using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Host;
using Perf.Protocols;

namespace Perf.Api.Ingest;

/// <summary>
/// Reads an ingestion request's body the same way for every protocol: at most <c>perf.ingest.max_body_bytes</c> as sent
/// (413), into a pooled buffer; a gzip body (<c>Content-Encoding: gzip</c>) at most <c>perf.protocols.max_decoded_bytes</c>
/// once inflated, checked while inflating so a gzip bomb stops at the limit (see <see cref="Gzip"/>); any other encoding
/// 415.
/// </summary>
public static class IngestBody
{
    private const int InitialBuffer = 64 * 1024;

    /// <param name="contentEncoding">false where the protocol handles its own compression (remote write: snappy, undone by
    /// its codec): the body is then returned as sent, whatever Content-Encoding says.</param>
    public static async Task<(PooledBody? Body, IResult? Refusal)> ReadAsync(HttpContext context, PerfEngine engine, bool contentEncoding, CancellationToken cancellationToken)
    {
        var maxBytes = engine.Settings.Engine.Ingest.MaxBodyBytes;
        var declared = context.Request.ContentLength;
        if (declared > maxBytes) return (null, TooLarge(maxBytes, "perf.ingest.max_body_bytes"));
        var bodyLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = maxBytes;

        PooledBody raw;
        try
        {
            raw = await ReadAllAsync(context.Request.Body, (int)Math.Min(declared ?? InitialBuffer, maxBytes), cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes, "perf.ingest.max_body_bytes"));
        }

        var encoding = context.Request.Headers.ContentEncoding.ToString().Trim();
        if (!contentEncoding || encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase)) return (raw, null);
        using (raw)
        {
            if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                return (null, Refused("media_type", Problems.Invalid("Content-Encoding", $"'{encoding}' is not supported (gzip or none)",
                    StatusCodes.Status415UnsupportedMediaType, "Unsupported media type")));
            var limit = engine.Settings.Protocols.MaxDecodedBytes;
            try
            {
                return (PooledBody.Owned(Gzip.Inflate(raw.Segment, limit)), null);
            }
            catch (ProtocolFormatException e)
            {
                return (null, e.TooLarge ? TooLarge(limit, "perf.protocols.max_decoded_bytes", "once gunzipped ") : Refused("invalid", Problems.Invalid(e.Field, e.Message)));
            }
        }
    }

    /// <summary>The whole stream into a rented buffer, grown by doubling (the server enforces the size limit as it reads).</summary>
    private static async Task<PooledBody> ReadAllAsync(Stream body, int expected, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(expected, 256));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0) return PooledBody.Rented(buffer, length);
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public static IResult TooLarge(long limit, string key, string how = "") => Refused("too_large",
        Problems.Invalid("body", $"is {how}larger than the limit of {limit} bytes ({key})", StatusCodes.Status413PayloadTooLarge, "Payload too large"));

    /// <summary>Counts the refusal in <c>perf_requests_rejected_total</c>.</summary>
    public static IResult Refused(string reason, IResult answer)
    {
        PerfMetrics.RequestsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return answer;
    }
}
