using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Perf.Actors.Optimization;
using Perf.Analytics.Time;
using Perf.Api.Http;
using Perf.Api.Security;
using Perf.Actors.Security;
using Perf.Api.Ingest;
using Perf.Host;
using static Perf.Actors.Hosts.HostDirectoryQueries;
using static Perf.Actors.Optimization.OptimizerCommands;
using static Perf.Actors.Optimization.OptimizerQueries;

namespace Perf.Api.Endpoints;

/// <summary>
/// <c>POST /api/v1/performance/optimize</c> sets a host's optimization policy (persisted by its
/// <see cref="OptimizerActor"/>); <c>GET /api/v1/recommendations</c> lists what the optimizers recommend, with evidence.
/// </summary>
public static partial class OptimizationEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Fields = ["resource_type", "optimization_type", "parameters", "host"];
    private static readonly string[] Types = ["cache", "scaling", "load_balancing"];
    private static readonly Dictionary<string, string[]> Parameters = new()
    {
        ["cache"] = ["max_size", "eviction_policy", "ttl"],
        ["scaling"] = ["min_instances", "max_instances", "scale_up_threshold", "scale_down_threshold"],
        ["load_balancing"] = ["algorithm"],
    };

    public static IEndpointRouteBuilder MapOptimizationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/performance/optimize", OptimizeAsync).RequireArea(Area.Operate);
        app.MapGet("/api/v1/recommendations", RecommendationsAsync).RequireArea(Area.Read);
        return app;
    }

    private static async Task<IResult> OptimizeAsync(HttpRequest request, PerfEngine engine)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem is not null) return problem;
        using (body)
        {
            var (set, resourceType, errors) = Read(body!.RootElement);
            if (set is null) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, "Invalid optimization request");
            if (!Caller.From(request.HttpContext)!.CanAccess(set.Host)) return RequestGuards.HostRefused(set.Host);
            return await engine.Hosts.Ask<object>(set, AskTimeout) switch
            {
                PolicyAccepted accepted => Results.Json(new
                {
                    decision = "accepted",
                    host = set.Host,
                    resource_type = resourceType,
                    optimization_type = set.OptimizationType,
                    policy = PolicyJson(accepted.Policy),
                    reasons = accepted.Reasons,
                }),
                PolicyRejected rejected => Problems.Invalid(rejected.Field, rejected.Message, StatusCodes.Status422UnprocessableEntity, "Invalid optimization request"),
                var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name}"),
            };
        }
    }

    private static async Task<IResult> RecommendationsAsync(HttpRequest request, PerfEngine engine)
    {
        string[] hosts;
        if (request.Query.TryGetValue("host", out var h))
        {
            if (h.Count != 1 || !MetricsDocumentParser.IsValidHost(h[0])) return Problems.Invalid("host", "must be a host name");
            hosts = [h[0]!];
        }
        else hosts = [.. (await engine.Directory.Ask<HostList>(ListHosts.Instance, AskTimeout)).Hosts.Where(Caller.From(request.HttpContext)!.CanAccess)];
        var views = await Task.WhenAll(hosts.Select(host => engine.Hosts.Ask<RecommendationsView>(new GetRecommendations(host), AskTimeout)));
        return Results.Json(new
        {
            hosts = views.Select(v => new { host = v.Host, instances = v.Instances, policy_overridden = v.PolicyOverridden, policy = PolicyJson(v.Policy) }),
            recommendations = views.SelectMany(v => v.Current.Select(r => new
            {
                host = v.Host,
                kind = r.Kind,
                action = r.Action,
                reason = r.Reason,
                timestamp = ApiJson.Time(r.AtMs),
                window_start = ApiJson.Time(r.WindowStartMs),
                evidence = r.Evidence.ToDictionary(e => e.Name, e => ApiJson.Number(e.Value)),
            })).OrderBy(r => r.host, StringComparer.Ordinal).ThenBy(r => r.kind, StringComparer.Ordinal),
        });
    }

    /// <summary>The policy in the product document's <c>optimization</c> shape (max_size in MB).</summary>
    private static object PolicyJson(OptimizationPolicy p) => new
    {
        cache = new { max_size = p.CacheMaxSizeMb, eviction_policy = p.EvictionPolicy, ttl = DurationParser.Format(p.CacheTtl) },
        load_balancing = new { algorithm = p.Algorithm },
        scaling = new { min_instances = p.MinInstances, max_instances = p.MaxInstances, scale_up_threshold = p.ScaleUpThreshold, scale_down_threshold = p.ScaleDownThreshold },
    };

    private static (SetPolicy? Request, string? ResourceType, List<FieldError> Errors) Read(JsonElement root)
    {
        var errors = new List<FieldError>();
        if (root.ValueKind != JsonValueKind.Object) return (null, null, [new FieldError("body", "must be a JSON object")]);
        foreach (var property in root.EnumerateObject())
            if (!Fields.Contains(property.Name)) errors.Add(new FieldError(property.Name, $"is not a field of an optimization request ({string.Join(", ", Fields)})"));

        // resource_type names what is being optimized (memory, cpu, ...); it is echoed, the policy is per optimization_type.
        var resourceType = root.TryGetProperty("resource_type", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
        if (resourceType is null || !ResourceName().IsMatch(resourceType))
            errors.Add(new FieldError("resource_type", "must be a resource name such as memory, cpu, disk, network or application"));

        var type = root.TryGetProperty("optimization_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is null || !Types.Contains(type)) errors.Add(new FieldError("optimization_type", $"must be one of {string.Join(", ", Types)}"));

        var host = MetricsDocumentParser.DefaultHost;
        if (root.TryGetProperty("host", out var h))
        {
            if (h.ValueKind == JsonValueKind.String && MetricsDocumentParser.IsValidHost(h.GetString())) host = h.GetString()!;
            else errors.Add(new FieldError("host", "must be a host name"));
        }

        var change = new PolicyChange();
        if (!root.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
            errors.Add(new FieldError("parameters", "must be an object"));
        else if (type is not null && Parameters.TryGetValue(type, out var allowed))
            change = ReadParameters(parameters, type, allowed, errors);
        if (errors.Count > 0) return (null, resourceType, errors);
        return (new SetPolicy(host, type!, change), resourceType, errors);
    }

    private static PolicyChange ReadParameters(JsonElement parameters, string type, string[] allowed, List<FieldError> errors)
    {
        var change = new PolicyChange();
        foreach (var p in parameters.EnumerateObject())
        {
            var field = "parameters." + p.Name;
            var v = p.Value;
            if (!allowed.Contains(p.Name))
            {
                errors.Add(new FieldError(field, $"is not a parameter of {type} ({string.Join(", ", allowed)})"));
                continue;
            }
            switch (p.Name)
            {
                case "max_size":
                    if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var mb) && mb > 0 && mb <= 1L << 40)
                        change = change with { CacheMaxSizeBytes = (long)Math.Round(mb * 1024 * 1024) };
                    else errors.Add(new FieldError(field, "must be a positive number of MB"));
                    break;
                case "eviction_policy":
                    if (OneOf(v, OptimizationPolicy.EvictionPolicies) is { } eviction) change = change with { EvictionPolicy = eviction };
                    else errors.Add(new FieldError(field, $"must be one of {string.Join(", ", OptimizationPolicy.EvictionPolicies)}"));
                    break;
                case "ttl":
                    if (v.ValueKind == JsonValueKind.String && DurationParser.TryParse(v.GetString(), out var ttl) && ttl >= TimeSpan.Zero)
                        change = change with { CacheTtl = ttl };
                    else errors.Add(new FieldError(field, "must be a duration such as 30m or 1h"));
                    break;
                case "algorithm":
                    if (OneOf(v, OptimizationPolicy.Algorithms) is { } algorithm) change = change with { Algorithm = algorithm };
                    else errors.Add(new FieldError(field, $"must be one of {string.Join(", ", OptimizationPolicy.Algorithms)}"));
                    break;
                case "min_instances" or "max_instances":
                    if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= (p.Name == "min_instances" ? 0 : 1) && n <= 100_000)
                        change = p.Name == "min_instances" ? change with { MinInstances = n } : change with { MaxInstances = n };
                    else errors.Add(new FieldError(field, p.Name == "min_instances" ? "must be a whole number, 0 or more" : "must be a whole number, 1 or more"));
                    break;
                case "scale_up_threshold" or "scale_down_threshold":
                    if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var percent) && percent is >= 0 and <= 100)
                        change = p.Name == "scale_up_threshold" ? change with { ScaleUpThreshold = percent } : change with { ScaleDownThreshold = percent };
                    else errors.Add(new FieldError(field, "must be a percentage between 0 and 100"));
                    break;
            }
        }
        // Both bounds in one request are checked here; one bound against the host's other is checked by its optimizer.
        if (change is { MinInstances: { } min, MaxInstances: { } max } && max < min)
            errors.Add(new FieldError("parameters.max_instances", $"{max} is below min_instances {min}"));
        if (change is { ScaleUpThreshold: { } up, ScaleDownThreshold: { } down } && down >= up)
            errors.Add(new FieldError("parameters.scale_down_threshold", $"{down} must be below scale_up_threshold {up}"));
        return change;
    }

    private static string? OneOf(JsonElement value, string[] allowed) =>
        value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString()) ? value.GetString() : null;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex ResourceName();
}
