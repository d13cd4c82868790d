using System.Diagnostics;

namespace Perf.Api.Security;

/// <summary>
/// One structured line per request (category <c>Perf.Access</c>): method, path, status, duration, caller and address.
/// Never the query string or headers, so no key material or token reaches the log.
/// </summary>
public sealed class AccessLog(RequestDelegate next, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("Perf.Access");

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (_log.IsEnabled(LogLevel.Information))
            {
                var caller = Caller.From(context);
                _log.LogInformation("{Method} {Path} {Status} {ElapsedMs:0.0}ms actor={Actor} role={Role} from={Remote}",
                    context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, caller?.Actor ?? "-", caller?.Role.ToString().ToLowerInvariant() ?? "-",
                    context.Connection.RemoteIpAddress?.ToString() ?? "-");
            }
        }
    }
}
