using System.Globalization;
using System.Net;
using Npgsql;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Cluster;

/// <summary>A node on PostgreSQL whose database sessions the server ends (as a restart or a failover does).</summary>
[Collection(nameof(ClusterCollection))]
public sealed class PostgresSessionTests(PostgresServer postgres)
{
    /// <summary>A single node on a fresh database of the server, started.</summary>
    private static async Task<PerfNodeProcess> StartNodeAsync(string connectionString, params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["PERF_PERF__STORAGE__PROVIDER"] = "postgresql",
            ["PERF_PERF__STORAGE__POSTGRESQL__CONNECTION_STRING"] = connectionString,
            ["PERF_PERF__SELF_MONITORING__ENABLED"] = "false",
        };
        foreach (var (key, value) in extra) environment[key] = value;
        var node = new PerfNodeProcess(environment);
        try
        {
            await node.StartAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_backup_through_the_API_on_PostgreSQL_is_answered_501_naming_the_provider()
    {
        await using var node = await StartNodeAsync(await postgres.CreateDatabaseAsync(), ("Logging__LogLevel__Perf.Access", "Information"));

        using var response = await node.Client.PostJsonAsync("{}", "/api/v1/admin/backup");
        var problem = await response.ExpectProblemAsync(HttpStatusCode.NotImplemented, "perf.storage.provider");
        Assert.Contains("pg_dump", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await Poll.UntilAsync("the access log line", _ => Task.FromResult(node.Output.Contains("POST /api/v1/admin/backup 501 ", StringComparison.Ordinal)),
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Writes_resume_after_the_server_ends_every_session_of_the_node_and_nothing_acknowledged_is_lost()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var node = await StartNodeAsync(connectionString, ("PERF_PERF__INGEST__WRITE_TIMEOUT", "5s"));
        var start = NodeApi.RecentSecond(10);
        var acknowledged = new List<long>();
        async Task<bool> PostAsync(int second)
        {
            var t = start.AddSeconds(second);
            using var response = await node.Client.PostJsonAsync(NodeApi.Serialize(new
            {
                host = "pg-1", timestamp = NodeApi.Iso(t), metrics = new { cpu = new { usage = second } },
            }));
            if (response.StatusCode != HttpStatusCode.Accepted) return false;
            acknowledged.Add(t.ToUnixTimeMilliseconds());
            return true;
        }
        for (var i = 0; i < 3; i++) Assert.True(await PostAsync(i));

        await using (var admin = new NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync(ct);
            await using var terminate = admin.CreateCommand();
            terminate.CommandText = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
            Assert.True((long)(await terminate.ExecuteScalarAsync(ct))! > 0, "the node had sessions to end");
        }

        // The writes that met the dead sessions fail (503, retried); the node opens new sessions and takes the next ones.
        var second = 3;
        await Poll.UntilAsync("a write acknowledged after the sessions ended", async _ => await PostAsync(second++), ct, TimeSpan.FromSeconds(120));
        for (var i = 0; i < 5; i++) Assert.True(await PostAsync(second++), "every write after the first one back is acknowledged");

        var stored = (await node.Client.GetJsonAsync("/api/v1/series/pg-1/cpu.usage?start=0"))["points"]!.AsArray()
            .Select(p => DateTimeOffset.Parse(p!["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds())
            .ToHashSet();
        Assert.All(acknowledged, t => Assert.Contains(t, stored));
    }
}
