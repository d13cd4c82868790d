using System.Text.Json;
using System.Text.RegularExpressions;
using Perf.Actors.Alerts;
using Perf.Analytics.Time;
using Perf.Api.Ingest;

namespace Perf.Api.Alerts;

/// <summary>
/// An alert rule as the rules API reads and writes it:
/// <c>{"id", "name", "kind": "threshold"|"anomaly"|"trend"|"nodata", "host", "metric", "warning", "critical", "below",
/// "for", "resolve_margin", "anomaly_kinds", "min_score", "severity", "horizon", "trend_window", "intervals"}</c>.
/// Trend rules need a level and a <c>horizon</c> (<c>trend_window</c> defaults to 1h); no-data rules count
/// <c>intervals</c> collection intervals (default 3) and raise <c>severity</c>. Reading checks every field and reports
/// each problem with its field name.
/// </summary>
public static partial class AlertRuleJson
{
    private static readonly string[] Kinds = ["spike", "changepoint", "anomaly", "host_anomaly"];

    public static object Write(AlertRule rule) => new
    {
        id = rule.Id,
        name = rule.Name,
        kind = KindName(rule.Kind),
        host = rule.Host,
        metric = rule.Metric,
        warning = rule.Warning,
        critical = rule.Critical,
        below = rule.Below,
        @for = DurationParser.Format(rule.For),
        resolve_margin = rule.ResolveMargin,
        anomaly_kinds = rule.AnomalyKinds,
        min_score = rule.MinScore,
        severity = rule.Severity.ToString().ToLowerInvariant(),
        horizon = DurationParser.Format(rule.Horizon),
        trend_window = DurationParser.Format(rule.TrendWindow),
        intervals = rule.Intervals,
    };

    private static string KindName(AlertRuleKind kind) => kind switch
    {
        AlertRuleKind.Anomaly => "anomaly",
        AlertRuleKind.Trend => "trend",
        AlertRuleKind.NoData => "nodata",
        _ => "threshold",
    };

    /// <summary>The rule in <paramref name="body"/>; <paramref name="pathId"/> (PUT) is its id, and a body id must agree.</summary>
    public static (AlertRule? Rule, List<FieldError> Errors) Read(JsonElement body, string? pathId)
    {
        var errors = new List<FieldError>();
        if (body.ValueKind != JsonValueKind.Object) return (null, [new FieldError("body", "must be a JSON object")]);
        var known = new HashSet<string>
        {
            "id", "name", "kind", "host", "metric", "warning", "critical", "below", "for", "resolve_margin", "anomaly_kinds", "min_score", "severity",
            "horizon", "trend_window", "intervals",
        };
        foreach (var property in body.EnumerateObject())
            if (!known.Contains(property.Name)) errors.Add(new FieldError(property.Name, "is not a field of an alert rule"));

        var id = String(body, "id", errors) ?? pathId;
        if (pathId is not null && id != pathId) errors.Add(new FieldError("id", $"must match the id in the path ('{pathId}')"));
        if (id is null) errors.Add(new FieldError("id", "is required"));
        else if (!IdPattern().IsMatch(id)) errors.Add(new FieldError("id", "must be 1-64 letters, digits, '_', '-' or '.'"));
        var kindText = String(body, "kind", errors) ?? "threshold";
        var kind = kindText switch
        {
            "threshold" => AlertRuleKind.Threshold,
            "anomaly" => AlertRuleKind.Anomaly,
            "trend" => AlertRuleKind.Trend,
            "nodata" => AlertRuleKind.NoData,
            _ => (AlertRuleKind?)null,
        };
        if (kind is null) errors.Add(new FieldError("kind", "must be threshold, anomaly, trend or nodata"));
        var metric = String(body, "metric", errors);
        if (string.IsNullOrWhiteSpace(metric)) errors.Add(new FieldError("metric", "is required (a metric name or pattern, e.g. cpu.usage or disk.*)"));
        var host = String(body, "host", errors) ?? "*";
        if (string.IsNullOrWhiteSpace(host)) errors.Add(new FieldError("host", "must be a host name or pattern"));
        var warning = Number(body, "warning", errors);
        var critical = Number(body, "critical", errors);
        var below = Bool(body, "below", errors) ?? false;
        var forText = String(body, "for", errors);
        var @for = TimeSpan.Zero;
        if (forText is not null && !DurationParser.TryParse(forText, out @for)) errors.Add(new FieldError("for", "must be a duration such as 30s, 5m or 1h"));
        var margin = Number(body, "resolve_margin", errors) ?? 0;
        if (margin < 0) errors.Add(new FieldError("resolve_margin", "must not be negative"));
        var anomalyKinds = Strings(body, "anomaly_kinds", errors) ?? [];
        foreach (var k in anomalyKinds)
            if (!Kinds.Contains(k)) errors.Add(new FieldError("anomaly_kinds", $"'{k}' is not one of {string.Join(", ", Kinds)}"));
        var minScore = Number(body, "min_score", errors) ?? 0;
        var severityText = String(body, "severity", errors) ?? "warning";
        var severity = severityText switch { "warning" => AlertSeverity.Warning, "critical" => AlertSeverity.Critical, _ => AlertSeverity.None };
        if (severity == AlertSeverity.None) errors.Add(new FieldError("severity", "must be warning or critical"));
        var horizon = Duration(body, "horizon", errors);
        var trendWindow = Duration(body, "trend_window", errors) ?? AlertRule.DefaultTrendWindow;
        var intervals = Number(body, "intervals", errors);
        if (intervals is { } n && (n < 1 || n != Math.Floor(n) || n > int.MaxValue))
            errors.Add(new FieldError("intervals", "must be a whole number of collection intervals, at least 1"));

        if (kind is AlertRuleKind.Threshold or AlertRuleKind.Trend)
        {
            if (warning is null && critical is null) errors.Add(new FieldError("warning", $"a {kindText} rule needs a warning or a critical level (or both)"));
            if (warning is { } w && critical is { } c && (below ? c > w : c < w))
                errors.Add(new FieldError("critical", below ? "must not be above warning for a below rule" : "must not be below warning"));
        }
        if (kind == AlertRuleKind.Trend)
        {
            if (horizon is null) errors.Add(new FieldError("horizon", "is required: how far ahead the trend may reach a level, e.g. 4h"));
            else if (horizon <= TimeSpan.Zero) errors.Add(new FieldError("horizon", "must be longer than 0s"));
            if (trendWindow <= TimeSpan.Zero) errors.Add(new FieldError("trend_window", "must be longer than 0s"));
        }
        if (errors.Count > 0) return (null, errors);
        return (new AlertRule
        {
            Id = id!, Name = String(body, "name", errors) ?? id!, Kind = kind!.Value, Host = host, Metric = metric!,
            Warning = warning, Critical = critical, Below = below, For = @for, ResolveMargin = margin,
            AnomalyKinds = anomalyKinds, MinScore = minScore, Severity = severity,
            Horizon = horizon ?? TimeSpan.Zero, TrendWindow = trendWindow, Intervals = intervals is { } count ? (int)count : AlertRule.DefaultIntervals,
        }, errors);
    }

    private static TimeSpan? Duration(JsonElement body, string name, List<FieldError> errors)
    {
        var text = String(body, name, errors);
        if (text is null) return null;
        if (DurationParser.TryParse(text, out var duration)) return duration;
        errors.Add(new FieldError(name, "must be a duration such as 30s, 5m or 1h"));
        return null;
    }

    private static string? String(JsonElement body, string name, List<FieldError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        errors.Add(new FieldError(name, "must be a string"));
        return null;
    }

    private static double? Number(JsonElement body, string name, List<FieldError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)) return number;
        errors.Add(new FieldError(name, "must be a number"));
        return null;
    }

    private static bool? Bool(JsonElement body, string name, List<FieldError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        errors.Add(new FieldError(name, "must be true or false"));
        return null;
    }

    private static string[]? Strings(JsonElement body, string name, List<FieldError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
            return value.EnumerateArray().Select(v => v.GetString()!).ToArray();
        errors.Add(new FieldError(name, "must be a list of strings"));
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();
}
