using System.Text.Json;
using Akka.Actor;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
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
        app.MapPost("/api/v1/performance/analyze", AnalyzeAsync).RequireArea(Area.Analyze);
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
            if (!Caller.From(request.HttpContext)!.CanAccess(analyze.Host)) return RequestGuards.HostRefused(analyze.Host);
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
        RequestFields.Unknown(root, Fields, "an analysis request", errors);
        var type = RequestFields.OneOf(root, "analysis_type", Types, errors);
        var metrics = RequestFields.Names(root, "metrics", "metric names (cpu_usage, memory_usage, or series names such as disk.used)", required: true,
            n => n.Contains('/'), errors);
        var (range, _) = RequestFields.TimeRange(root, engine.Settings.Performance.Analysis.TrendWindow, engine.Settings.Performance.RetentionPeriod, errors);

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
            {
                RequestFields.Unknown(o, Options, "the options", errors, prefix: "options.");
                foreach (var option in Options) options[option] = RequestFields.Bool(o, option, absent: false, errors, prefix: "options.");
            }
        }
        if (errors.Count > 0) return (null, errors);

        var to = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return (new Analyze(host, type!, [.. metrics], to - (long)range.TotalMilliseconds, to,
            options.GetValueOrDefault("detect_anomalies"), options.GetValueOrDefault("identify_patterns"), options.GetValueOrDefault("calculate_correlations")), errors);
    }
}
