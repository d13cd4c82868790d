using Perf.Analytics.Time;
using Perf.Api.Ingest;

namespace Perf.Api.Http;

/// <summary>A query's time range and bucket width, read from query parameters with errors naming the parameter.</summary>
public readonly record struct TimeRange(long FromMs, long ToMs, long StepMs)
{
    public static (TimeRange Range, FieldError? Error) Read(
        string? start, string startName, string? end, string endName, string? step, string stepName,
        TimeSpan defaultRange, int maxPoints, TimeProvider clock)
    {
        var to = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (!string.IsNullOrEmpty(end) && !TimestampParser.TryParse(end, out to))
            return (default, new FieldError(endName, "must be an RFC 3339 time or a Unix time number"));
        var from = to - (long)defaultRange.TotalMilliseconds;
        if (!string.IsNullOrEmpty(start) && !TimestampParser.TryParse(start, out from))
            return (default, new FieldError(startName, "must be an RFC 3339 time or a Unix time number"));
        if (from > to) return (default, new FieldError(startName, $"must not be after {endName}"));
        long stepMs = 0;
        if (!string.IsNullOrEmpty(step))
        {
            if (!DurationParser.TryParse(step, out var duration) || duration.TotalMilliseconds < 1)
                return (default, new FieldError(stepName, "must be a duration such as 30s, 5m or 1h"));
            stepMs = (long)duration.TotalMilliseconds;
            if ((to - from) / stepMs + 1 > maxPoints)
                return (default, new FieldError(stepName, $"gives more than {maxPoints} buckets over the range; use a larger {stepName}"));
        }
        return (new TimeRange(from, to, stepMs), null);
    }
}
