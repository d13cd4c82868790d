using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Perf.Actors.Configuration;
using Perf.Api.Http;

namespace Perf.Api.Security;

/// <summary>
/// Slows key guessing down by address, before any key is checked. Every answer 401 (no credentials, a wrong key, a bad
/// token) takes a token from its address's bucket (<c>perf.security.rate_limit.unauthenticated_*</c>); while the bucket
/// is empty, every request from that address to a guarded endpoint is refused 429 before its credentials are read. So a
/// 429 says nothing about the key it carried, and the right key guessed while throttled gets no further than a wrong one.
/// The price: a valid client behind the same address waits with the guesser (as with fail2ban).
/// <para>
/// Refusals are logged in aggregate (the first of an address at once, then a count per address once a minute), not a
/// line each, and are left out of the access log and the audit trail (<see cref="RefusedItem"/>).
/// </para>
/// </summary>
/// <remarks>A 401 is counted when it is answered, so requests already in flight when the bucket runs dry still have
/// their keys checked: the overshoot is bounded by the address's concurrent requests.</remarks>
public sealed class AuthenticationThrottle : IMiddleware, IDisposable
{
    /// <summary>Set in <see cref="HttpContext.Items"/> on a request this refused.</summary>
    public const string RefusedItem = "perf.throttled";

    private static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<string> _failures;
    // Refusals per address since the last summary; an address not in it has not been refused since then.
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly TimeSpan _retryAfter;
    private readonly ILogger _log;
    private readonly Timer _summary;

    public AuthenticationThrottle(SecuritySettings settings, ILogger<AuthenticationThrottle> log)
    {
        var limit = settings.UnauthenticatedRateLimit;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _retryAfter = TimeSpan.FromSeconds(1.0 / limit.RequestsPerSecond); // when the next token is there
        _log = log;
        _summary = new Timer(_ => Summarise(), null, SummaryEvery, SummaryEvery);
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // A whole token left, not a fraction: a 401 takes one, and what it cannot take it does not count.
        if (_failures.GetStatistics(address) is { CurrentAvailablePermits: < 1 })
        {
            await RefuseAsync(context, address);
            return;
        }
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized) _failures.AttemptAcquire(address, 1).Dispose();
    }

    private Task RefuseAsync(HttpContext context, string address)
    {
        context.Items[RefusedItem] = true;
        if (_refused.AddOrUpdate(address, 1, static (_, count) => count + 1) == 1)
            _log.LogWarning("Address {Address} is throttled after failed authentications: its requests are refused before their credentials are checked " +
                            "(perf.security.rate_limit.unauthenticated_*); counts follow once a minute", address);
        return Problems.RetryLater(context, StatusCodes.Status429TooManyRequests, _retryAfter,
            "too many requests without valid credentials came from this address (perf.security.rate_limit.unauthenticated_requests_per_second); " +
            "its requests are refused until that slows down").ExecuteAsync(context);
    }

    private void Summarise()
    {
        foreach (var address in _refused.Keys)
            if (_refused.TryRemove(address, out var count) && count > 1)
                _log.LogWarning("Address {Address}: {Count} requests refused in the last {Minutes} minute(s), throttled after failed authentications",
                    address, count, SummaryEvery.TotalMinutes);
    }

    public void Dispose()
    {
        _summary.Dispose();
        _failures.Dispose();
    }
}
