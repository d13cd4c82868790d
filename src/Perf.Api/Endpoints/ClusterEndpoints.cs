using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Perf.Actors.Security;
using Perf.Actors.Telemetry;
using Perf.Api.Http;
using Perf.Api.Ingest;
using Perf.Api.Security;
using Perf.Host;

namespace Perf.Api.Endpoints;

/// <summary>
/// The cluster as operators see it: members with roles, status and reachability, and the shards and entities each
/// worker hosts (<c>GET /api/v1/cluster</c>); a member asked to leave gracefully (its shards handed over) or marked down
/// (after it died without leaving) by an admin.
/// </summary>
public static class ClusterEndpoints
{
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/cluster", StatusAsync).RequireArea(Area.Operate);
        app.MapPost("/api/v1/cluster/leave", (HttpRequest request, PerfEngine engine) => ActAsync(request, engine, "leave")).RequireArea(Area.Admin);
        app.MapPost("/api/v1/cluster/down", (HttpRequest request, PerfEngine engine) => ActAsync(request, engine, "down")).RequireArea(Area.Admin);
        return app;
    }

    private static async Task<IResult> StatusAsync(PerfEngine engine, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(engine.System);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var hosts = await ShardsAsync(engine, cancellationToken);
        var series = await SeriesAsync(engine, hosts.Regions.Keys, cancellationToken);
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new
        {
            address = m.Address.ToString(),
            roles = m.Roles.Order(StringComparer.Ordinal).ToArray(),
            status = m.Status.ToString().ToLowerInvariant(),
            reachable = !unreachable.Contains(m.Address),
            self = m.Address == cluster.SelfAddress,
            leader = state.Leader == m.Address,
            // Series live in their hosts: the host shards, and the series those hosts hold.
            series = hosts.Regions.TryGetValue(m.Address, out var region)
                ? new { shards = region.Stats.Count, entities = series.GetValueOrDefault(m.Address) }
                : null,
            hosts = Counts(hosts, m.Address),
        }).ToArray();
        return Results.Json(new
        {
            self = cluster.SelfAddress.ToString(),
            leader = state.Leader?.ToString(),
            members,
            unreachable = unreachable.Select(a => a.ToString()).ToArray(),
            shard_stats_complete = hosts.Complete && series.Count == hosts.Regions.Count,
        });
    }

    private static object? Counts((IReadOnlyDictionary<Address, ShardRegionStats> Regions, bool Complete) stats, Address member) =>
        stats.Regions.TryGetValue(member, out var region)
            ? new { shards = region.Stats.Count, entities = region.Stats.Values.Sum() }
            : null;

    /// <summary>Shard and entity counts of every host region, from any node (a proxy asks the hosting regions).
    /// Incomplete when a region did not answer in time (an unreachable member).</summary>
    private static async Task<(IReadOnlyDictionary<Address, ShardRegionStats> Regions, bool Complete)> ShardsAsync(
        PerfEngine engine, CancellationToken cancellationToken)
    {
        try
        {
            var region = engine.Hosts;
            var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(StatsTimeout), StatsTimeout + TimeSpan.FromSeconds(1), cancellationToken);
            return (stats.Regions, stats.Regions.Values.All(r => r.Failed.Count == 0));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return (new Dictionary<Address, ShardRegionStats>(), false);
        }
    }

    /// <summary>The series each worker's hosts hold, asked of each worker's <see cref="NodeStatsActor"/> (a member that does
    /// not answer in time is left out).</summary>
    private static async Task<Dictionary<Address, long>> SeriesAsync(PerfEngine engine, IEnumerable<Address> workers, CancellationToken cancellationToken)
    {
        var asks = workers.Select(async address =>
        {
            try
            {
                var stats = await engine.System.ActorSelection(new RootActorPath(address) / "user" / NodeStatsActor.Name)
                    .Ask<NodeStats>(GetNodeStats.Instance, StatsTimeout, cancellationToken);
                return (address, (long?)stats.Series);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return (address, null);
            }
        });
        return (await Task.WhenAll(asks)).Where(a => a.Item2 is not null).ToDictionary(a => a.address, a => a.Item2!.Value);
    }

    /// <summary>Body <c>{"address": "akka.tcp://perf@host:port"}</c>: the member to act on, always named (a request that
    /// forgot it must not take down the node that happened to serve it).</summary>
    private static async Task<IResult> ActAsync(HttpRequest request, PerfEngine engine, string action)
    {
        var cluster = Cluster.Get(engine.System);
        Address? address = null;
        var (body, problem) = await JsonBody.ReadObjectAsync(request, optional: true);
        if (problem is not null) return problem;
        if (body is not null)
        {
            using (body)
            {
                var root = body.RootElement;
                var errors = new List<FieldError>();
                RequestFields.Unknown(root, ["address"], $"a {action} request", errors);
                if (root.TryGetProperty("address", out var value))
                {
                    try { address = value.ValueKind == JsonValueKind.String ? Address.Parse(value.GetString()!) : null; }
                    catch (UriFormatException) { address = null; }
                    if (address is null) errors.Add(new FieldError("address", "must be a member address such as akka.tcp://perf@10.0.0.1:4053"));
                }
                if (errors.Count > 0) return Problems.Invalid(errors, StatusCodes.Status422UnprocessableEntity, $"Invalid {action} request");
            }
        }
        if (address is null)
            return Problems.Invalid("address", $"is required: the member to {(action == "leave" ? "ask to leave" : "mark down")} (see GET /api/v1/cluster)",
                StatusCodes.Status422UnprocessableEntity, $"Invalid {action} request");
        if (cluster.State.Members.All(m => m.Address != address))
            return Problems.NotFound("address", $"{address} is not a member of this cluster");
        if (action == "leave") cluster.Leave(address);
        else cluster.Down(address);
        return Results.Json(new { action, address = address.ToString() }, statusCode: StatusCodes.Status202Accepted);
    }
}
