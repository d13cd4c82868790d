using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Perf.Actors.Configuration;
using Perf.Actors.LoadTesting;
using Perf.Actors.Security;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Api.Security;
using Perf.Host;
using static Perf.Actors.LoadTesting.LoadTestsCommands;
using static Perf.Actors.LoadTesting.LoadTestsQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// Load tests (operator area): <c>POST /api/v1/performance/loadtests</c> validates the request against the allow-list
/// and the caller's role's caps and starts it with the <see cref="LoadTests"/> singleton on a worker; GET follows one
/// or lists them, DELETE cancels, <c>/profile</c> correlates it with the target host's own series.
/// </summary>
public static class LoadTestEndpoints
{
    private const string Route = "/api/v1/performance/loadtests";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProfileTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(30);
    private static readonly string[] Fields = ["target_url", "method", "headers", "body", "rate", "concurrency", "duration", "ramp_up", "target_host"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public static IEndpointRouteBuilder MapLoadTestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, StartAsync).RequireArea(Area.Operate);
        app.MapGet(Route, ListAsync).RequireArea(Area.Operate);
        app.MapGet(Route + "/{id}", GetAsync).RequireArea(Area.Operate);
        app.MapDelete(Route + "/{id}", CancelAsync).RequireArea(Area.Operate);
        app.MapGet(Route + "/{id}/profile", ProfileAsync).RequireArea(Area.Operate);
        return app;
    }

    private static async Task<IResult> StartAsync(HttpRequest request, IRequiredActor<LoadTestsKey> loadTests, PerfSettings settings, TimeProvider clock)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem is not null) return problem;
        using (body)
        {
            var caller = Caller.From(request.HttpContext)!;
            var (spec, errors) = Read(body!.RootElement, caller);
            if (spec is null) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid load test");
            var host = new Uri(spec.TargetUrl).Host;
            var target = new Uri(spec.TargetUrl).HostNameType == UriHostNameType.IPv6 ? $"[{host.Trim('[', ']')}]" : host;
            if (!settings.LoadTest.Allows(target))
                return Problems.Invalid("target_url", $"'{target}' is not among the allowed targets (perf.loadtest.allowed_targets: {string.Join(", ", settings.LoadTest.AllowedTargets)})",
                    StatusCodes.Status403Forbidden, "Target not allowed");
            if (spec.TargetHost.Length > 0 && !caller.CanAccess(spec.TargetHost)) return RequestGuards.HostRefused(spec.TargetHost, "target_host");
            var caps = settings.LoadTest.CapsOf(caller.Role)!;
            var capErrors = new List<FieldError>();
            var role = caller.Role.Name();
            if (spec.Rate > caps.MaxRate) capErrors.Add(new FieldError("rate", $"is more than the {role} role may send: {caps.MaxRate} requests/s (perf.loadtest.{role}.max_rate)"));
            if (spec.Concurrency > caps.MaxConcurrency)
                capErrors.Add(new FieldError("concurrency", $"is more than the {role} role may keep in flight: {caps.MaxConcurrency} (perf.loadtest.{role}.max_concurrency)"));
            if (spec.DurationMs > caps.MaxDuration.TotalMilliseconds)
                capErrors.Add(new FieldError("duration", $"is longer than the {role} role may run a test: {DurationParser.Format(caps.MaxDuration)} (perf.loadtest.{role}.max_duration)"));
            if (capErrors.Count > 0) return Problems.Invalid(capErrors, StatusCodes.Status422UnprocessableEntity, "Load test over the caller's caps");

            var id = Guid.NewGuid().ToString("N")[..12];
            return await loadTests.ActorRef.Ask<object>(new StartLoadTest(id, spec, clock.GetUtcNow().ToUnixTimeMilliseconds()), AskTimeout) switch
            {
                LoadTestView view => Results.Accepted(SelfLink(id), Render(view.Job, view.NowMs)),
                LoadTestRefused refused => Problems.Invalid("target_url", refused.Reason, refused.Status, "Load test refused"),
                var other => Results.Problem($"unexpected answer {other.GetType().Name}", statusCode: 500),
            };
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, IRequiredActor<LoadTestsKey> loadTests, int? limit)
    {
        var caller = Caller.From(context)!;
        var list = await loadTests.ActorRef.Ask<LoadTestList>(new ListLoadTests(Math.Clamp(limit ?? 100, 1, LoadTestsState.Kept)), AskTimeout);
        return Results.Ok(new { loadtests = list.Jobs.Where(j => Visible(caller, j.Spec)).Select(j => Render(j, list.NowMs)).ToArray() });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IRequiredActor<LoadTestsKey> loadTests)
    {
        var (view, refused) = await FindAsync(id, Caller.From(context)!, loadTests);
        return view is null ? refused! : Results.Ok(Render(view.Job, view.NowMs));
    }

    private static async Task<IResult> CancelAsync(string id, HttpContext context, IRequiredActor<LoadTestsKey> loadTests, TimeProvider clock)
    {
        var (found, refused) = await FindAsync(id, Caller.From(context)!, loadTests);
        if (found is null) return refused!;
        return await loadTests.ActorRef.Ask<object>(new CancelLoadTest(id, clock.GetUtcNow().ToUnixTimeMilliseconds()), AskTimeout) switch
        {
            LoadTestView view => Results.Ok(Render(view.Job, view.NowMs)),
            _ => Problems.NotFound("id", $"no load test '{id}'"),
        };
    }

    private static async Task<IResult> ProfileAsync(string id, HttpContext context, IRequiredActor<LoadTestsKey> loadTests)
    {
        var (found, refused) = await FindAsync(id, Caller.From(context)!, loadTests);
        if (found is null) return refused!;
        return await loadTests.ActorRef.Ask<object>(new GetLoadTestProfile(id), ProfileTimeout) switch
        {
            LoadTestProfile profile => Results.Text(profile.Json, "application/json"),
            _ => Problems.NotFound("id", $"no load test '{id}'"),
        };
    }

    /// <summary>The test, or the answer for a caller who may not see it: 404 when there is none, 403 when it targets a
    /// host outside the caller's scope and someone else started it.</summary>
    private static async Task<(LoadTestView? View, IResult? Refused)> FindAsync(string id, Caller caller, IRequiredActor<LoadTestsKey> loadTests)
    {
        if (await loadTests.ActorRef.Ask<object>(new GetLoadTest(id), AskTimeout) is not LoadTestView view)
            return (null, Problems.NotFound("id", $"no load test '{id}'"));
        return Visible(caller, view.Job.Spec)
            ? (view, null)
            : (null, Problems.Invalid("id", $"load test '{id}' targets host '{view.Job.Spec.TargetHost}', which this key may not reach", StatusCodes.Status403Forbidden, "Forbidden"));
    }

    /// <summary>A host-scoped key sees the tests it started and those whose target host it may reach; others see all.</summary>
    private static bool Visible(Caller caller, LoadTestSpec spec) =>
        !caller.IsHostScoped || spec.RequestedBy == caller.Actor || (spec.TargetHost.Length > 0 && caller.CanAccess(spec.TargetHost));

    private static string SelfLink(string id) => $"{Route}/{id}";

    private static object Render(LoadTestJob job, long nowMs)
    {
        var s = job.Summary;
        var latency = s.Latency();
        var spec = job.Spec;
        return new
        {
            id = job.Id,
            status = ApiJson.Name(job.Status),
            progress = Math.Round(job.Progress(nowMs), 3),
            error = job.Error,
            host = LoadTestJob.HostOf(job.Id),
            target_url = spec.TargetUrl,
            method = spec.Method,
            rate = spec.Rate > 0 ? spec.Rate : (int?)null,
            concurrency = spec.Concurrency > 0 ? spec.Concurrency : (int?)null,
            duration = DurationParser.Format(TimeSpan.FromMilliseconds(spec.DurationMs)),
            ramp_up = DurationParser.Format(TimeSpan.FromMilliseconds(spec.RampUpMs)),
            target_host = spec.TargetHost.Length == 0 ? null : spec.TargetHost,
            requested_by = spec.RequestedBy,
            started_at = ApiJson.Time(job.StartedMs),
            cancel_requested_at = job.CancelRequestedMs > 0 ? ApiJson.Time(job.CancelRequestedMs) : null,
            finished_at = job.FinishedMs > 0 ? ApiJson.Time(job.FinishedMs) : null,
            live = job.Live is { } live
                ? new
                {
                    second = ApiJson.Time(live.SecondMs), level = live.Level, requests = live.Requests, responses = live.Responses, errors = live.Errors,
                    latency_p50_ms = Math.Round(live.P50Ms, 3), latency_p95_ms = Math.Round(live.P95Ms, 3), latency_p99_ms = Math.Round(live.P99Ms, 3),
                    latency_max_ms = Math.Round(live.MaxMs, 3),
                }
                : null,
            summary = new
            {
                requests = s.Requests,
                responses = s.Responses,
                errors = s.Errors,
                error_rate = s.Responses == 0 ? 0 : Math.Round(s.Errors / (double)s.Responses, 4),
                throughput = s.LastSecondMs > s.FirstSecondMs ? Math.Round(s.Responses / ((s.LastSecondMs - s.FirstSecondMs + 1000) / 1000.0), 2) : s.Responses,
                peak_throughput = s.PeakThroughput,
                latency_ms = new
                {
                    min = Math.Round(latency.MinMilliseconds, 3), p50 = Math.Round(latency.PercentileMilliseconds(50), 3),
                    p95 = Math.Round(latency.PercentileMilliseconds(95), 3), p99 = Math.Round(latency.PercentileMilliseconds(99), 3),
                    max = Math.Round(latency.MaxMilliseconds, 3),
                },
                status_codes = s.Codes.Zip(s.CodeCounts).ToDictionary(p => p.Item1, p => p.Item2),
                knee = s.Knee is { } knee
                    ? new { rate = knee.Rate, at = ApiJson.Time(knee.AtMs), reason = knee.Reason, baseline_p95_ms = Math.Round(knee.BaselineP95Ms, 3), throughput = knee.Throughput }
                    : null,
            },
            links = new { self = SelfLink(job.Id), profile = $"{SelfLink(job.Id)}/profile", series = $"/api/v1/hosts/{LoadTestJob.HostOf(job.Id)}" },
        };
    }

    private static (LoadTestSpec? Spec, List<FieldError> Errors) Read(JsonElement root, Caller caller)
    {
        var errors = new List<FieldError>();
        if (root.ValueKind != JsonValueKind.Object) return (null, [new FieldError("body", "must be a JSON object")]);
        RequestFields.Unknown(root, Fields, "a load test", errors);
        var url = String(root, "target_url", errors, required: true);
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            errors.Add(new FieldError("target_url", "must be an absolute http or https URL"));
        var method = (String(root, "method", errors) ?? "GET").ToUpperInvariant();
        if (!Methods.Contains(method)) errors.Add(new FieldError("method", $"must be one of {string.Join(", ", Methods)}"));
        var (names, values) = Headers(root, errors);
        var bodyText = String(root, "body", errors) ?? "";
        var rate = Positive(root, "rate", errors);
        var concurrency = Positive(root, "concurrency", errors);
        if (rate == 0 && concurrency == 0 && !errors.Any(e => e.Field is "rate" or "concurrency"))
            errors.Add(new FieldError("rate", "give rate (requests per second) or concurrency (requests in flight)"));
        if (rate > 0 && concurrency > 0) errors.Add(new FieldError("concurrency", "give rate or concurrency, not both"));
        var duration = Duration(root, "duration", DefaultDuration, errors, allowZero: false);
        var ramp = Duration(root, "ramp_up", TimeSpan.Zero, errors, allowZero: true);
        if (ramp > duration) errors.Add(new FieldError("ramp_up", "is longer than the duration"));
        var targetHost = String(root, "target_host", errors) ?? "";
        if (targetHost.Length > 0 && !MetricsDocumentParser.IsValidHost(targetHost)) errors.Add(new FieldError("target_host", "must be a host name as metrics are sent with"));
        if (errors.Count > 0) return (null, errors);
        return (new LoadTestSpec(url!, method, names, values, bodyText, rate, concurrency, (long)duration.TotalMilliseconds, (long)ramp.TotalMilliseconds,
            targetHost, caller.Actor), errors);
    }

    private static string? String(JsonElement root, string field, List<FieldError> errors, bool required = false)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            if (required) errors.Add(new FieldError(field, "is required"));
            return null;
        }
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        errors.Add(new FieldError(field, "must be a string"));
        return null;
    }

    private static int Positive(JsonElement root, string field, List<FieldError> errors)
    {
        if (!root.TryGetProperty(field, out var value)) return 0;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0) return number;
        errors.Add(new FieldError(field, "must be a whole number above 0"));
        return 0;
    }

    private static TimeSpan Duration(JsonElement root, string field, TimeSpan absent, List<FieldError> errors, bool allowZero)
    {
        if (!root.TryGetProperty(field, out var value)) return absent;
        if (value.ValueKind == JsonValueKind.String && DurationParser.TryParse(value.GetString(), out var duration) && (duration > TimeSpan.Zero || (allowZero && duration == TimeSpan.Zero)))
            return duration;
        errors.Add(new FieldError(field, "must be a duration such as 30s, 5m or 1h"));
        return absent;
    }

    private static (string[] Names, string[] Values) Headers(JsonElement root, List<FieldError> errors)
    {
        if (!root.TryGetProperty("headers", out var headers)) return ([], []);
        if (headers.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("headers", "must be an object of header names and string values"));
            return ([], []);
        }
        var names = new List<string>();
        var values = new List<string>();
        foreach (var header in headers.EnumerateObject())
        {
            if (header.Value.ValueKind != JsonValueKind.String || header.Name.Length == 0 || !header.Name.All(IsTokenChar))
            {
                errors.Add(new FieldError($"headers.{header.Name}", "must be a header name (RFC 9110 token characters) with a string value"));
                continue;
            }
            // The runner adds headers without the client's validation: a CR or LF here would end the header and let
            // the rest of the value pass as another header or a second request to the target.
            if (header.Value.GetString()!.Any(c => (c < ' ' && c != '\t') || c == '\x7f'))
            {
                errors.Add(new FieldError($"headers.{header.Name}", "must not contain control characters (CR, LF, NUL, ...)"));
                continue;
            }
            names.Add(header.Name);
            values.Add(header.Value.GetString()!);
        }
        return ([.. names], [.. values]);
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
