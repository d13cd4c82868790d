using Akka.Actor;
using Perf.Actors.Series;
using Perf.Analytics.Aggregation;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Hosts.HostQueries;
using static Perf.Actors.Series.SeriesQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// <c>GET /api/v1/performance/metrics</c>: the product document's "Get Metrics". One row per interval bucket; a column per
/// series named like the series with '_' for '.': by default <c>cpu_usage</c> (series cpu.usage), <c>memory_usage</c>
/// (memory.usage, derived from used/total), <c>disk_usage</c> (disk.usage, likewise) and <c>network_usage</c>
/// (network.usage as sent by the agent). With <c>metric_type</c>, the series it names (a group, a column or a series, see
/// <see cref="Select"/>). Without <c>host</c>, host "default" (where samples without a host go). Row values are bucket
/// averages; <c>aggregation</c> holds avg/max/min of each column over the whole range.
/// </summary>
public static class PerformanceQueryEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private const int MaxColumns = 100;
    private static readonly string[] DefaultSeries = ["cpu.usage", "memory.usage", "disk.usage", "network.usage"];

    public static IEndpointRouteBuilder MapPerformanceQueryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/performance/metrics", GetMetricsAsync).RequireArea(Area.Read);
        return app;
    }

    private static async Task<IResult> GetMetricsAsync(string? host, string? start_time, string? end_time, string? metric_type, string? interval,
        HttpContext context, PerfEngine engine, TimeProvider clock)
    {
        var named = host is not null;
        host ??= MetricsDocumentParser.DefaultHost;
        if (!MetricsDocumentParser.IsValidHost(host)) return Problems.Invalid("host", "is not a valid host name");
        // Checked after the default: a host-scoped key that names no host asks for host "default".
        if (!Caller.From(context)!.CanAccess(host)) return RequestGuards.HostRefused(host);
        var settings = engine.Settings;
        var (range, error) = TimeRange.Read(start_time, "start_time", end_time, "end_time",
            interval ?? Format(settings.Performance.CollectionInterval), "interval",
            settings.Engine.Query.DefaultRange, settings.Engine.Query.MaxPoints, clock);
        if (error is not null) return Problems.Invalid([error]);

        if (await engine.Hosts.Ask(new GetHost(host), AskTimeout) is not HostView view)
            return Problems.NotFound("host", named
                ? $"host '{host}' has no series"
                : $"no samples were sent without a host (they go to host '{host}'); name one with ?host= (GET /api/v1/hosts lists them)");
        string[] series;
        if (string.IsNullOrEmpty(metric_type)) series = DefaultSeries;
        else if (metric_type.Count(c => c == ',') >= MaxColumns) return Problems.Invalid("metric_type", $"names more than {MaxColumns} groups or series");
        else if (Select(view, metric_type) is { } selected) series = selected;
        else return Problems.NotFound("metric_type", $"host '{host}' has no series in group '{metric_type}' and none named so");
        // Each column is five range reads: a group of thousands of series is refused up front, not read.
        if (series.Length > MaxColumns)
            return Problems.Invalid("metric_type", $"selects {series.Length} series; at most {MaxColumns} a request (name a smaller group or the series)");

        var columns = await Task.WhenAll(series.Select(metric => ReadColumnAsync(engine, new SeriesKey(host, metric), range)));
        var rows = new SortedDictionary<long, Dictionary<string, object?>>();
        foreach (var column in columns)
        foreach (var (t, avg) in column.Buckets)
        {
            if (!rows.TryGetValue(t, out var row)) rows[t] = row = new Dictionary<string, object?> { ["timestamp"] = ApiJson.Time(t) };
            row[column.Name] = ApiJson.Number(avg);
        }
        foreach (var row in rows.Values)
        foreach (var column in columns)
            row.TryAdd(column.Name, null);

        return Results.Json(new
        {
            metrics = rows.Values,
            aggregation = columns.Where(c => c.Count > 0).ToDictionary(c => c.Name, c => new
            {
                avg = ApiJson.Number(c.Sum / c.Count),
                max = ApiJson.Number(c.Max),
                min = ApiJson.Number(c.Min),
            }),
        });
    }

    /// <summary>
    /// The series <paramref name="metricType"/> names, comma-separated: a group (<c>cpu</c>: every series of it), a
    /// column of the answer (<c>cpu_usage</c>) or a series (<c>cpu.usage</c>). Null when one of them names nothing the
    /// host has.
    /// </summary>
    private static string[]? Select(HostView view, string metricType)
    {
        var selected = new List<string>();
        foreach (var wanted in metricType.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var before = selected.Count;
            foreach (var metric in view.Series.Select(s => s.Metric))
                if ((metric.StartsWith(wanted + ".", StringComparison.Ordinal) || metric == wanted || ColumnOf(metric) == wanted) && !selected.Contains(metric))
                    selected.Add(metric);
            if (selected.Count == before) return null;
        }
        return selected.Count > 0 ? [.. selected] : null;
    }

    private static string ColumnOf(string metric) => metric.Replace('.', '_');

    private static async Task<Column> ReadColumnAsync(PerfEngine engine, SeriesKey key, TimeRange range)
    {
        var name = ColumnOf(key.Metric);
        async Task<RangeResult?> Read(AggregationKind kind) =>
            await engine.Series.Ask(new ReadRange(key.EntityId, range.FromMs, range.ToMs, range.StepMs, kind), AskTimeout) as RangeResult;
        var results = await Task.WhenAll(Read(AggregationKind.Avg), Read(AggregationKind.Sum), Read(AggregationKind.Count),
            Read(AggregationKind.Min), Read(AggregationKind.Max));
        if (results.Any(r => r is null)) return new Column(name, [], 0, 0, double.NaN, double.NaN);
        var (avg, sum, count, min, max) = (results[0]!, results[1]!, results[2]!, results[3]!, results[4]!);
        return new Column(
            name,
            avg.Timestamps.Select((t, i) => (t, avg.Values[i])).ToArray(),
            sum.Values.Sum(),
            (long)count.Values.Sum(),
            min.Values.DefaultIfEmpty(double.NaN).Min(),
            max.Values.DefaultIfEmpty(double.NaN).Max());
    }

    private static string Format(TimeSpan span) => Perf.Analytics.Time.DurationParser.Format(span);

    private sealed record Column(string Name, (long T, double Avg)[] Buckets, double Sum, long Count, double Min, double Max);
}
