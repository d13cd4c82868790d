using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Cluster;

/// <summary>
/// A real Perf cluster on this machine: worker processes (Perf.Host) and thin api processes (Perf.Api, role api) on
/// loopback ports, sharing one fresh PostgreSQL database. Workers keep their Akka port across restarts, so the seed
/// list stays true.
/// </summary>
public sealed class PerfCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _common;
    private readonly int[] _workerPorts;
    private readonly string[] _workerDirectories;
    private readonly List<PerfNodeProcess> _apis = [];

    private PerfCluster(string connectionString, int workers, IReadOnlyDictionary<string, string>? extra)
    {
        _workerPorts = [.. Enumerable.Range(0, workers).Select(_ => PerfNodeProcess.FreePort())];
        _workerDirectories = [.. Enumerable.Range(0, workers).Select(i => Path.Combine(Path.GetTempPath(), "perf-cluster-tests", Guid.NewGuid().ToString("N"), $"worker-{i}"))];
        Workers = new PerfNodeProcess?[workers];
        _common = new Dictionary<string, string>
        {
            ["PERF_PERF__STORAGE__PROVIDER"] = "postgresql",
            ["PERF_PERF__STORAGE__POSTGRESQL__CONNECTION_STRING"] = connectionString,
            ["PERF_PERF__CLUSTER__SEED_NODES"] = string.Join(",", _workerPorts.Select(p => $"akka.tcp://perf@127.0.0.1:{p}")),
            ["PERF_PERF__SERIES__SNAPSHOT_EVERY"] = "20",
            // The tests count the load's series across the cluster; the nodes' own figures (host perf-system) would add theirs.
            ["PERF_PERF__SELF_MONITORING__ENABLED"] = "false",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) _common[key] = value;
    }

    public PerfNodeProcess?[] Workers { get; }
    public IReadOnlyList<PerfNodeProcess> Apis => _apis;
    public PerfNodeProcess Api => _apis[0];

    public static string WorkerAddress(int port) => $"akka.tcp://perf@127.0.0.1:{port}";
    public string AddressOfWorker(int index) => WorkerAddress(_workerPorts[index]);

    /// <summary>Starts the workers, then <paramref name="apis"/> api nodes, and waits until every member is Up.</summary>
    public static async Task<PerfCluster> StartAsync(PostgresServer postgres, int workers = 3, int apis = 1, IReadOnlyDictionary<string, string>? extra = null)
    {
        var cluster = new PerfCluster(await postgres.CreateDatabaseAsync(), workers, extra);
        try
        {
            for (var i = 0; i < workers; i++) cluster.StartWorker(i);
            for (var i = 0; i < apis; i++) await cluster.StartApiAsync();
            await cluster.WaitForWorkersAsync(workers);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync(); // no process outlives a cluster that failed to start
            throw;
        }
    }

    public void StartWorker(int index)
    {
        var environment = new Dictionary<string, string>(_common) { ["PERF_PERF__CLUSTER__PORT"] = _workerPorts[index].ToString() };
        Workers[index] = new PerfNodeProcess(environment, _workerDirectories[index], worker: true);
        Workers[index]!.StartWorker();
    }

    public async Task<PerfNodeProcess> StartApiAsync()
    {
        var environment = new Dictionary<string, string>(_common)
        {
            ["PERF_PERF__CLUSTER__ROLES"] = "api",
            ["PERF_PERF__CLUSTER__PORT"] = PerfNodeProcess.FreePort().ToString(),
        };
        var api = new PerfNodeProcess(environment);
        _apis.Add(api);
        await api.StartAsync(TimeSpan.FromSeconds(120));
        return api;
    }

    /// <summary>The cluster as the api node reports it.</summary>
    public async Task<JsonNode> StatusAsync() => await Api.Client.GetJsonAsync("/api/v1/cluster");

    /// <summary>Waits until exactly <paramref name="count"/> workers are Up and reachable and none other is a member.</summary>
    public Task WaitForWorkersAsync(int count) =>
        Poll.UntilAsync($"{count} workers up", async _ =>
        {
            var members = (await StatusAsync())["members"]!.AsArray();
            var workers = members.Where(m => m!["roles"]!.AsArray().Any(r => r!.GetValue<string>() == "worker")).ToArray();
            return workers.Length == count && workers.All(m => m!["status"]!.GetValue<string>() == "up" && m["reachable"]!.GetValue<bool>());
        }, TestContext.Current.CancellationToken, TimeSpan.FromSeconds(120));

    public async ValueTask DisposeAsync()
    {
        foreach (var api in _apis) await api.DisposeAsync();
        foreach (var worker in Workers) if (worker is not null) await worker.DisposeAsync();
        foreach (var directory in _workerDirectories.Select(Path.GetDirectoryName).Distinct())
            try { Directory.Delete(directory!, recursive: true); } catch (IOException) { }
    }
}
