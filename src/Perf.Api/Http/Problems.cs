using Perf.Api.Ingest;

namespace Perf.Api.Http;

/// <summary>RFC 7807 problem+json answers. Each names the offending field (<c>field</c>) and lists every problem found (<c>errors</c>).</summary>
public static class Problems
{
    public static IResult Invalid(IReadOnlyList<FieldError> errors, int status = StatusCodes.Status400BadRequest, string title = "Invalid request") =>
        Results.Problem(
            title: title,
            detail: string.Join("; ", errors.Take(5).Select(e => $"{e.Field}: {e.Message}")),
            statusCode: status,
            extensions: new Dictionary<string, object?>
            {
                ["field"] = errors[0].Field,
                ["errors"] = errors.Select(e => new { field = e.Field, message = e.Message }).ToArray(),
            });

    public static IResult Invalid(string field, string message, int status = StatusCodes.Status400BadRequest, string title = "Invalid request") =>
        Invalid([new FieldError(field, message)], status, title);

    public static IResult NotFound(string field, string message) =>
        Invalid([new FieldError(field, message)], StatusCodes.Status404NotFound, "Not found");

    /// <summary>429 or 503 with Retry-After: the client should send the same request again after that many seconds.</summary>
    public static IResult RetryLater(HttpContext context, int status, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var title = status switch { 429 => "Too many requests", 507 => "Insufficient storage", _ => "Service unavailable" };
        return Results.Problem(title: title, detail: detail, statusCode: status);
    }
}
