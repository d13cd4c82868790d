using Microsoft.AspNetCore.Http.Metadata;

namespace Perf.Api.Security;

/// <summary>
/// Endpoint metadata: this endpoint's largest request body instead of <c>perf.security.max_request_bytes</c>; null: the
/// endpoint enforces a limit of its own (ingestion: <c>perf.ingest.max_body_bytes</c>, counted in its metrics).
/// </summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    public static readonly BodySizeLimit SetByEndpoint = new((long?)null);
}
