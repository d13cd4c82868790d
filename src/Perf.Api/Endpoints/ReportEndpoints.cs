using Perf.Storage.Reports;
using System.Text.Json;
using Akka.Actor;
using Perf.Actors.Analysis;
using Perf.Actors.Reports;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Reports.ReportJobsCommands;
using static Perf.Actors.Reports.ReportJobsQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// Reports (the product document's Generate Report): <c>POST /api/v1/performance/reports</c> validates and queues a job
/// with the <see cref="ReportJobs"/> singleton, which makes the file on a worker node; <c>GET /api/v1/reports/{id}</c>
/// follows it, <c>GET /api/v1/reports/{id}/content</c> serves the file once done, and <c>GET /api/v1/reports</c> lists
/// the reports made earlier.
/// </summary>
public static class ReportEndpoints
{
    /// <summary>Host-metric pairs in one report at most: each is a chart and a series read.</summary>
    public const int MaxSeries = 500;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    // A page of jobs (each lists its hosts and metrics): small enough for one remote message between cluster nodes.
    private const int DefaultListed = 20;
    private const int MaxListed = 100;
    private static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);
    private static readonly string[] Fields = ["report_type", "time_range", "metrics", "hosts", "format", "include_graphs"];

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/performance/reports", CreateAsync).RequireArea(Area.Analyze);
        app.MapGet("/api/v1/reports", ListAsync).RequireArea(Area.Analyze);
        app.MapGet("/api/v1/reports/{id}", StatusAsync).RequireArea(Area.Analyze);
        app.MapGet("/api/v1/reports/{id}/content", ContentAsync).RequireArea(Area.Analyze).Audited().DisableRequestTimeout();
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, PerfEngine engine, TimeProvider clock)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem is not null) return problem;
        using (body)
        {
            var (spec, errors) = Read(body!.RootElement, engine, clock);
            if (spec is null) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid report request");
            var caller = Caller.From(request.HttpContext)!;
            if (spec.Hosts.FirstOrDefault(h => !caller.CanAccess(h)) is { } outside) return RequestGuards.HostRefused(outside, "hosts");
            if (spec.Hosts.Length == 0)
            {
                // No hosts named: every host the directory knows (the document's request has no hosts field) that the caller may see.
                var known = (await engine.Directory.Ask<HostList>(ListHosts.Instance, AskTimeout)).Hosts.Where(caller.CanAccess).ToArray();
                if (known.Length == 0) return Problems.Invalid("hosts", "no host has sent metrics yet; nothing to report", StatusCodes.Status422UnprocessableEntity, "Invalid report request");
                spec = spec with { Hosts = [.. known.Order(StringComparer.Ordinal)] };
            }
            if (spec.Hosts.Length * spec.Metrics.Length > MaxSeries)
                return Problems.Invalid("hosts", $"{spec.Hosts.Length} hosts × {spec.Metrics.Length} metrics is more than {MaxSeries} series; name fewer hosts",
                    StatusCodes.Status422UnprocessableEntity, "Invalid report request");
            var id = Guid.NewGuid().ToString("N");
            var view = await engine.Reports.Ask<ReportView>(new CreateReport(id, spec, clock.GetUtcNow().ToUnixTimeMilliseconds()), AskTimeout);
            return Results.Accepted(SelfLink(id), Render(view.Job, engine));
        }
    }

    /// <summary>The reports made earlier (the newest <see cref="ReportJobsState.Kept"/> are kept), newest first.</summary>
    private static async Task<IResult> ListAsync(string? limit, HttpContext context, PerfEngine engine)
    {
        var count = DefaultListed;
        if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > MaxListed))
            return Problems.Invalid("limit", $"must be a whole number from 1 to {MaxListed}");
        var caller = Caller.From(context)!;
        var list = await engine.Reports.Ask<ReportList>(new ListReports(count, [.. caller.Hosts.Select(p => p.Text)]), AskTimeout);
        return Results.Ok(new { reports = list.Jobs.Select(j => Render(j, engine)), count = list.Jobs.Length, total = list.Total });
    }

    private static async Task<IResult> StatusAsync(string id, HttpContext context, PerfEngine engine) =>
        await VisibleReportAsync(id, context, engine) is { } job ? Results.Ok(Render(job, engine)) : Problems.NotFound("id", $"no report '{id}'");

    /// <summary>The report, unless it covers a host the caller may not read: then, as for an unknown id, null.</summary>
    private static async Task<ReportJob?> VisibleReportAsync(string id, HttpContext context, PerfEngine engine)
    {
        var caller = Caller.From(context)!;
        return await engine.Reports.Ask<object>(new GetReport(id), AskTimeout) is ReportView { Job: var job } && job.Spec.Hosts.All(caller.CanAccess)
            ? job
            : null;
    }

    private static async Task<IResult> ContentAsync(string id, HttpContext context, PerfEngine engine, ReportStore store, CancellationToken cancellationToken)
    {
        if (await VisibleReportAsync(id, context, engine) is not { } job)
            return Problems.NotFound("id", $"no report '{id}'");
        if (job.Status != ReportStatus.Done)
            return Problems.Invalid("status", job.Error is null ? $"the report is {ApiJson.Name(job.Status)}" : $"the report is {ApiJson.Name(job.Status)}: {job.Error}",
                StatusCodes.Status409Conflict, "Report not ready");
        // In the database, not a worker's disk: any api node serves it, whichever worker made it.
        var content = await store.ReadAsync(job.Id, cancellationToken);
        if (content is null) return Problems.NotFound("id", $"the content of report '{id}' is gone from the database");
        return Results.File(content, ReportFormats.ContentType(job.Spec.Format), $"report-{job.Id}.{job.Spec.Format}");
    }

    private static string SelfLink(string id) => $"/api/v1/reports/{id}";


    private static object Render(ReportJob job, PerfEngine engine) => new
    {
        id = job.Id,
        status = ApiJson.Name(job.Status),
        progress = Math.Round(job.Progress, 3),
        error = job.Error,
        report_type = job.Spec.ReportType,
        format = job.Spec.Format,
        time_range = job.Spec.TimeRange,
        start = ApiJson.Time(job.Spec.FromMs),
        end = ApiJson.Time(job.Spec.ToMs),
        // The bucket width of the report's data, so a client can read the same buckets from GET /api/v1/series.
        step = DurationParser.Format(TimeSpan.FromMilliseconds(AnalysisActor.BucketFor(job.Spec.ToMs - job.Spec.FromMs, engine.Settings.Performance.CollectionInterval))),
        metrics = job.Spec.Metrics,
        hosts = job.Spec.Hosts,
        include_graphs = job.Spec.IncludeGraphs,
        created_at = ApiJson.Time(job.CreatedMs),
        started_at = job.StartedMs > 0 ? ApiJson.Time(job.StartedMs) : null,
        finished_at = job.FinishedMs > 0 ? ApiJson.Time(job.FinishedMs) : null,
        bytes = job.Status == ReportStatus.Done ? job.Bytes : (long?)null,
        links = new { self = SelfLink(job.Id), content = $"{SelfLink(job.Id)}/content" },
    };

    private static (ReportSpec? Spec, List<FieldError> Errors) Read(JsonElement root, PerfEngine engine, TimeProvider clock)
    {
        var errors = new List<FieldError>();
        if (root.ValueKind != JsonValueKind.Object) return (null, [new FieldError("body", "must be a JSON object")]);
        RequestFields.Unknown(root, Fields, "a report request", errors);
        var type = RequestFields.OneOf(root, "report_type", ReportFormats.Types, errors);
        var format = RequestFields.OneOf(root, "format", ReportFormats.All, errors);
        var metrics = RequestFields.Names(root, "metrics", "metric names (cpu_usage, memory_usage, or series names such as disk.used)", required: true,
            n => n.Contains('/'), errors);
        var hosts = RequestFields.Names(root, "hosts", "host names", required: false, n => !MetricsDocumentParser.IsValidHost(n), errors);
        var (range, rangeText) = RequestFields.TimeRange(root, DefaultRange, engine.Settings.Performance.RetentionPeriod, errors);
        var graphs = RequestFields.Bool(root, "include_graphs", absent: true, errors);
        if (errors.Count > 0) return (null, errors);

        var to = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return (new ReportSpec(type!, rangeText, to - (long)range.TotalMilliseconds, to, [.. metrics], [.. hosts], format!, graphs), errors);
    }
}
