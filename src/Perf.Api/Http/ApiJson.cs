using System.Text.Json;
using System.Text.Json.Serialization;
using Perf.Analytics.Time;

namespace Perf.Api.Http;

/// <summary>JSON conventions of the API: snake_case names, RFC 3339 timestamps, NaN written as null.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict;
    }

    public static string Time(long epochMs) => TimestampParser.FormatIso(epochMs);

    /// <summary>JSON has no NaN; an absent value is null.</summary>
    public static double? Number(double value) => double.IsFinite(value) ? value : null;

    /// <summary>An enum value as the API writes it: <c>Firing</c> -> <c>firing</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
