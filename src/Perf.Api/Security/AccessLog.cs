using System.Diagnostics;

namespace Perf.Api.Security;

/// <summary>
/// One structured line per request (category <c>Perf.Access</c>): method, path, status, duration, caller and address.
/// Never the query string or headers, so no key material or token reaches the log. Requests refused by
/// <see cref="AuthenticationThrottle"/> are left to its summary (a guesser would otherwise write a line per attempt).
/// </summary>
public sealed class AccessLog(RequestDelegate next, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("Perf.Access");

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true; // the exception handler (outside) answers 500; the response's status is not set yet
            throw;
        }
        finally
        {
            if (_log.IsEnabled(LogLevel.Information) && !context.Items.ContainsKey(AuthenticationThrottle.RefusedItem))
            {
                var caller = Caller.From(context);
                _log.LogInformation("{Method} {Path} {Status} {ElapsedMs:0.0}ms actor={Actor} role={Role} from={Remote}",
                    context.Request.Method, context.Request.Path.Value, failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, caller?.Actor ?? "-", caller?.Role.ToString().ToLowerInvariant() ?? "-",
                    context.Connection.RemoteIpAddress?.ToString() ?? "-");
            }
        }
    }
}
