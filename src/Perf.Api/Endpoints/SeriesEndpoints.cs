using Akka.Actor;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Api.Endpoints;

/// <summary>One series: its points over a range (raw or per-step aggregates), its detectors' findings, and what its actor holds.</summary>
public static class SeriesEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private const long MaxReplayPoints = 250_000;

    public static IEndpointRouteBuilder MapSeriesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/series/{host}/{metric}", ReadAsync).RequireArea(Area.Read);
        app.MapGet("/api/v1/series/{host}/{metric}/state", StateAsync).RequireArea(Area.Read);
        app.MapGet("/api/v1/series/{host}/{metric}/anomalies", AnomaliesAsync).RequireArea(Area.Read);
        app.MapGet("/api/v1/series/{host}/{metric}/scores", ScoresAsync).RequireArea(Area.Read);
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
            detectors = state.Detectors.Select(d => new
            {
                name = d.Name,
                kind = d.Kind,
                points = d.PointsObserved,
                alerts = d.Alerts,
                last_alert = d.LastAlertMs > 0 ? ApiJson.Time(d.LastAlertMs) : null,
                state_bytes = d.StateBytes,
                // The latest output row by column name, e.g. {"alert": 0, "score": 0.12, "p_value": 0.43}.
                last_output = d.LastOutput.Length == d.Columns.Length
                    ? d.Columns.Select((c, i) => (c, i)).ToDictionary(x => ColumnName(x.c), x => ApiJson.Number(d.LastOutput[x.i]))
                    : null,
            }),
        });
    }

    private static async Task<IResult> AnomaliesAsync(string host, string metric, string? start, string? end, PerfEngine engine, TimeProvider clock)
    {
        if (Validate(host, metric) is { } invalid) return invalid;
        var query = engine.Settings.Engine.Query;
        var (range, error) = TimeRange.Read(start, "start", end, "end", null, "step", query.DefaultRange, query.MaxPoints, clock);
        if (error is not null) return Problems.Invalid([error]);
        var key = new SeriesKey(host, metric);
        var answer = await engine.Series.Ask(new GetAnomalies(key.EntityId, range.FromMs, range.ToMs), AskTimeout);
        if (answer is not AnomalyList list) return Problems.NotFound("metric", $"series {key} has no points");
        return Results.Json(new
        {
            host,
            metric,
            start = ApiJson.Time(range.FromMs),
            end = ApiJson.Time(range.ToMs),
            detector_set = list.DetectorSet,
            detectors = list.Detectors,
            anomalies = list.Anomalies.Select(a => new
            {
                timestamp = ApiJson.Time(a.TimestampMs),
                value = ApiJson.Number(a.Value),
                detector = a.Detector,
                kind = a.Kind,
                score = ApiJson.Number(a.Score),
                p_value = ApiJson.Number(a.PValue),
                martingale = ApiJson.Number(a.Martingale),
            }),
        });
    }

    /// <summary>
    /// A detector's score per point over a range (default the ensemble; with a step, the highest score per step), from a
    /// fresh copy of the detector replayed over the stored points (see <see cref="DetectorReplay"/>).
    /// </summary>
    private static async Task<IResult> ScoresAsync(string host, string metric, string? start, string? end, string? step, string? detector,
        PerfEngine engine, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Validate(host, metric) is { } invalid) return invalid;
        var query = engine.Settings.Engine.Query;
        var (range, error) = TimeRange.Read(start, "start", end, "end", step, "step", query.DefaultRange, query.MaxPoints, clock);
        if (error is not null) return Problems.Invalid([error]);
        var set = engine.Settings.Engine.Detection.For(metric);
        var name = detector ?? "ensemble";
        if (set.Detectors.FirstOrDefault(d => d.Name == name) is not { } spec)
            return Problems.NotFound("detector", $"series {metric} runs {(set.Detectors.Count == 0 ? "no detectors" : string.Join(", ", set.Detectors.Select(d => d.Name)))}, not {name}");
        var key = new SeriesKey(host, metric);
        // The copy warms up on the points before the range (as many as the live detectors wait for), so the range itself is scored.
        var intervalMs = (long)engine.Settings.Performance.CollectionInterval.TotalMilliseconds;
        var warmupMs = set.MinDataPoints * intervalMs;
        // Every stored point of the range is read and replayed: refused up front when that would be more than a few
        // hundred thousand at the collection interval.
        if ((range.ToMs - range.FromMs + warmupMs) / Math.Max(1, intervalMs) > MaxReplayPoints)
            return Problems.Invalid("start", $"the range would replay more than {MaxReplayPoints} points at the collection interval; ask for a shorter one");
        var answer = await engine.Series.Ask(new ReadRange(key.EntityId, range.FromMs - warmupMs, range.ToMs, 0, AggregationKind.Avg), AskTimeout, cancellationToken);
        if (answer is not RangeResult points) return Problems.NotFound("metric", $"series {key} has no points");
        // A series sampled less often than the collection interval (one-minute data at the default 30 s) has fewer points
        // in that look-back than the warm-up needs, so the start of the range went unscored: look back by its own spacing,
        // within the same bound on replayed points.
        if (points.Timestamps.Count(t => t < range.FromMs) < set.MinDataPoints && points.Timestamps.Length >= 2)
        {
            var spacingMs = (points.Timestamps[^1] - points.Timestamps[0]) / (points.Timestamps.Length - 1);
            var ownWarmupMs = (set.MinDataPoints + 1) * spacingMs;
            if (ownWarmupMs > warmupMs && (range.ToMs - range.FromMs + ownWarmupMs) / Math.Max(1, intervalMs) <= MaxReplayPoints
                && await engine.Series.Ask(new ReadRange(key.EntityId, range.FromMs - ownWarmupMs, range.ToMs, 0, AggregationKind.Avg), AskTimeout,
                    cancellationToken) is RangeResult longer)
                points = longer;
        }
        var scores = DetectorReplay.Scores(spec, set.MinDataPoints, points.Timestamps, points.Values);
        scores.RemoveAll(p => p.TimestampMs < range.FromMs);
        if (range.StepMs > 0 && scores.Count > 0) scores = Downsampler.Aggregate(scores, range.StepMs, AggregationKind.Max);
        else if (scores.Count > query.MaxPoints) return Problems.Invalid("step", $"the range holds {scores.Count} scores, more than {query.MaxPoints}; give a step");
        return Results.Json(new
        {
            host,
            metric,
            detector = name,
            warmup_points = set.MinDataPoints,
            step = range.StepMs > 0 ? DurationParser.Format(TimeSpan.FromMilliseconds(range.StepMs)) : null,
            points = scores.Select(p => new { timestamp = ApiJson.Time(p.TimestampMs), score = ApiJson.Number(p.Value) }),
        });
    }

    /// <summary>"P-Value" -> "p_value", "TailProbability" -> "tail_probability".</summary>
    private static string ColumnName(string column)
    {
        var name = new System.Text.StringBuilder(column.Length + 4);
        foreach (var c in column)
        {
            if (c == '-') { name.Append('_'); continue; }
            if (char.IsUpper(c) && name.Length > 0 && name[^1] != '_') name.Append('_');
            name.Append(char.ToLowerInvariant(c));
        }
        return name.ToString();
    }

    private static IResult? Validate(string host, string metric)
    {
        if (!MetricsDocumentParser.IsValidHost(host)) return Problems.Invalid("host", "is not a valid host name");
        if (string.IsNullOrWhiteSpace(metric) || metric.Contains('/') || metric.Length > 1024) return Problems.Invalid("metric", "is not a valid metric name");
        return null;
    }
}
