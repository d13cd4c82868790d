using Akka.Actor;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Api.Endpoints;

/// <summary>One series: its points over a range (raw or per-step aggregates) and what its actor holds.</summary>
public static class SeriesEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapSeriesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/series/{host}/{metric}", ReadAsync);
        app.MapGet("/api/v1/series/{host}/{metric}/state", StateAsync);
        return app;
    }

    private static async Task<IResult> ReadAsync(string host, string metric, string? start, string? end, string? step, string? agg,
        PerfEngine engine, TimeProvider clock)
    {
        if (Validate(host, metric) is { } invalid) return invalid;
        var query = engine.Settings.Engine.Query;
        var (range, error) = TimeRange.Read(start, "start", end, "end", step, "step", query.DefaultRange, query.MaxPoints, clock);
        if (error is not null) return Problems.Invalid([error]);
        var aggregation = AggregationKind.Avg;
        if (agg is not null && !AggregationKinds.TryParse(agg, out aggregation))
            return Problems.Invalid("agg", $"must be one of {string.Join(", ", AggregationKinds.Names)}");

        var key = new SeriesKey(host, metric);
        var answer = await engine.Series.Ask(new ReadRange(key.EntityId, range.FromMs, range.ToMs, range.StepMs, aggregation), AskTimeout);
        if (answer is not RangeResult result) return Problems.NotFound("metric", $"series {key} has no points");
        if (range.StepMs == 0 && result.Timestamps.Length > query.MaxPoints)
            return Problems.Invalid("step", $"the range holds {result.Timestamps.Length} raw points, more than {query.MaxPoints}; give a step");
        return Results.Json(new
        {
            host,
            metric,
            agg = range.StepMs > 0 ? AggregationKinds.Name(aggregation) : null,
            step = range.StepMs > 0 ? DurationParser.Format(TimeSpan.FromMilliseconds(range.StepMs)) : null,
            points = result.Timestamps.Select((t, i) => new { timestamp = ApiJson.Time(t), value = ApiJson.Number(result.Values[i]) }),
        });
    }

    private static async Task<IResult> StateAsync(string host, string metric, PerfEngine engine)
    {
        if (Validate(host, metric) is { } invalid) return invalid;
        var key = new SeriesKey(host, metric);
        var answer = await engine.Series.Ask(new GetState(key.EntityId), AskTimeout);
        if (answer is not StateView state) return Problems.NotFound("metric", $"series {key} has no points");
        return Results.Json(new
        {
            host = state.Host,
            metric = state.Metric,
            point_count = state.PointCount,
            first_timestamp = ApiJson.Time(state.FirstTimestampMs),
            last_timestamp = ApiJson.Time(state.LastTimestampMs),
            last_value = ApiJson.Number(state.LastValue),
            head = new { points = state.HeadPoints, bytes = state.HeadBytes },
            chunks = new { count = state.ChunkCount, bytes = state.ChunkBytes },
            bytes = state.HeadBytes + state.ChunkBytes,
            sequence_nr = state.LastSequenceNr,
            // Detectors arrive with issue 3; until then a series runs none.
            detectors = Array.Empty<object>(),
        });
    }

    private static IResult? Validate(string host, string metric)
    {
        if (!MetricsDocumentParser.IsValidHost(host)) return Problems.Invalid("host", "is not a valid host name");
        if (string.IsNullOrWhiteSpace(metric) || metric.Contains('/') || metric.Length > 1024) return Problems.Invalid("metric", "is not a valid metric name");
        return null;
    }
}
