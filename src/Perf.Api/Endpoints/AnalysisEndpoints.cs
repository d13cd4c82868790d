using System.Text.Json;
using Akka.Actor;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Analysis.AnalysisProtocol;

namespace Perf.Api.Endpoints;

/// <summary>
/// <c>POST /api/v1/performance/analyze</c>, the product document's analysis: validated here, computed on a worker node
/// next to the series (<see cref="Perf.Actors.Analysis.AnalysisActor"/>), answered in the document's shape.
/// </summary>
public static class AnalysisEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Types = ["trend", "anomaly", "pattern", "correlation", "bottleneck", "full"];
    private static readonly string[] Fields = ["analysis_type", "metrics", "time_range", "host", "options"];
    private static readonly string[] Options = ["detect_anomalies", "identify_patterns", "calculate_correlations"];

    public static IEndpointRouteBuilder MapAnalysisEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/performance/analyze", AnalyzeAsync);
        return app;
    }

    private static async Task<IResult> AnalyzeAsync(HttpRequest request, PerfEngine engine, TimeProvider clock)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem is not null) return problem;
        using (body)
        {
            var (analyze, errors) = Read(body!.RootElement, engine, clock);
            if (analyze is null) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid analysis request");
            return await engine.Analysis.Ask<object>(analyze, AskTimeout) switch
            {
                AnalysisDocument document => Results.Text(document.Json, "application/json"),
                AnalysisFailed failed => Problems.Invalid(failed.Field, failed.Message, failed.Status, failed.Status == 404 ? "Not found" : "Analysis failed"),
                var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name}"),
            };
        }
    }

    private static (Analyze? Request, List<FieldError> Errors) Read(JsonElement root, PerfEngine engine, TimeProvider clock)
    {
        var errors = new List<FieldError>();
        if (root.ValueKind != JsonValueKind.Object) return (null, [new FieldError("body", "must be a JSON object")]);
        foreach (var property in root.EnumerateObject())
            if (!Fields.Contains(property.Name)) errors.Add(new FieldError(property.Name, $"is not a field of an analysis request ({string.Join(", ", Fields)})"));

        var type = root.TryGetProperty("analysis_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
        if (type is null || !Types.Contains(type)) errors.Add(new FieldError("analysis_type", $"must be one of {string.Join(", ", Types)}"));

        var metrics = new List<string>();
        if (!root.TryGetProperty("metrics", out var m) || m.ValueKind != JsonValueKind.Array || m.GetArrayLength() == 0)
            errors.Add(new FieldError("metrics", "must be a non-empty list of metric names (cpu_usage, memory_usage, or series names such as disk.used)"));
        else
            foreach (var (item, i) in m.EnumerateArray().Select((item, i) => (item, i)))
            {
                var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                if (string.IsNullOrWhiteSpace(name) || name.Contains('/') || name.Length > 1024) errors.Add(new FieldError($"metrics[{i}]", "must be a metric name"));
                else if (metrics.Contains(name)) errors.Add(new FieldError($"metrics[{i}]", $"'{name}' is listed twice"));
                else metrics.Add(name);
            }

        var range = engine.Settings.Performance.Analysis.TrendWindow;
        if (root.TryGetProperty("time_range", out var r))
        {
            if (r.ValueKind != JsonValueKind.String || !DurationParser.TryParse(r.GetString(), out range) || range <= TimeSpan.Zero)
                errors.Add(new FieldError("time_range", "must be a duration such as 1h, 24h or 7d"));
            else if (range > engine.Settings.Performance.RetentionPeriod)
                errors.Add(new FieldError("time_range", $"reaches past the retention period ({DurationParser.Format(engine.Settings.Performance.RetentionPeriod)})"));
        }

        var host = MetricsDocumentParser.DefaultHost;
        if (root.TryGetProperty("host", out var h))
        {
            if (h.ValueKind == JsonValueKind.String && MetricsDocumentParser.IsValidHost(h.GetString())) host = h.GetString()!;
            else errors.Add(new FieldError("host", "must be a host name"));
        }

        var options = new Dictionary<string, bool>();
        if (root.TryGetProperty("options", out var o))
        {
            if (o.ValueKind != JsonValueKind.Object) errors.Add(new FieldError("options", "must be an object"));
            else
                foreach (var option in o.EnumerateObject())
                {
                    if (!Options.Contains(option.Name)) errors.Add(new FieldError($"options.{option.Name}", $"is not an option ({string.Join(", ", Options)})"));
                    else if (option.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) errors.Add(new FieldError($"options.{option.Name}", "must be true or false"));
                    else options[option.Name] = option.Value.GetBoolean();
                }
        }
        if (errors.Count > 0) return (null, errors);

        var to = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return (new Analyze(host, type!, [.. metrics], to - (long)range.TotalMilliseconds, to,
            options.GetValueOrDefault("detect_anomalies"), options.GetValueOrDefault("identify_patterns"), options.GetValueOrDefault("calculate_correlations")), errors);
    }
}
