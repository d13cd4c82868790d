using System.Text.Json;

namespace Perf.Api.Http;

/// <summary>Reads a JSON request body for the management endpoints (rules, silences): 415 unless JSON, 400 unless it parses.</summary>
public static class JsonBody
{
    /// <summary>Whether the request carries a body at all (for endpoints whose body is optional).</summary>
    private static bool IsPresent(HttpRequest request) => request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;

    /// <summary>
    /// The body as a JSON object (dispose it), or the problem to answer with (415, 400 unparsable, 400 not an object).
    /// With <paramref name="optional"/>, a request without a body gives neither: the endpoint's defaults apply.
    /// </summary>
    public static async Task<(JsonDocument? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, bool optional = false)
    {
        if (optional && !IsPresent(request)) return (null, null);
        var (body, problem) = await ReadAsync(request);
        if (problem is not null) return (null, problem);
        if (body!.RootElement.ValueKind == JsonValueKind.Object) return (body, null);
        body.Dispose();
        return (null, Problems.Invalid("body", "must be a JSON object"));
    }

    /// <summary>The parsed body (dispose it), or the problem to answer with.</summary>
    public static async Task<(JsonDocument? Body, IResult? Problem)> ReadAsync(HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            return (null, Problems.Invalid("Content-Type", "must be application/json", StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"));
        try
        {
            // Read whole (Kestrel's body limit bounds it) so that its text is checked before it is parsed.
            var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (JsonText.Problem(json.Span) is { } text) return (null, Problems.Invalid("body", text));
            return (JsonDocument.Parse(json), null);
        }
        catch (JsonException e) { return (null, Problems.Invalid("body", $"is not valid JSON ({e.Message})")); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
            return (null, Security.RequestGuards.TooLarge(limit));
        }
    }
}
