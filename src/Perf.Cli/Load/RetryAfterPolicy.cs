using System.Net.Http.Headers;

namespace Perf.Cli.Load;

/// <summary>Turns a <c>Retry-After</c> header (seconds or an HTTP date) into a wait.</summary>
public static class RetryAfterPolicy
{
    public static TimeSpan WaitFor(RetryConditionHeaderValue? retryAfter, DateTimeOffset now, TimeSpan fallback)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var untilDate = date - now;
            return untilDate < TimeSpan.Zero ? TimeSpan.Zero : untilDate;
        }

        return fallback;
    }
}
