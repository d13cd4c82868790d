using System.Net;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Cluster;

// Alone: five processes and a database server are all two cores can carry; beside other tests they starve each other.
[CollectionDefinition(nameof(ClusterCollection), DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<PostgresServer>;

/// <summary>
/// Three workers and thin api nodes on a real PostgreSQL server, all real processes: a worker killed or restarted
/// under continuous ingestion loses no acknowledged point, its series continue on the survivors, and a graceful
/// leave answers the client nothing but retries it was told to make.
/// </summary>
[Collection(nameof(ClusterCollection))]
public sealed class ClusterTests(PostgresServer postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Losing_a_worker_loses_no_acknowledged_point_and_its_series_continue_on_the_survivors()
    {
        await using var cluster = await PerfCluster.StartAsync(postgres, workers: 3, apis: 2);
        var load = new ClusterLoad([cluster.Apis[0].Client, cluster.Apis[1].Client]); // ingestion through either api node
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        // The first requests start 1,000 series across the workers; on a loaded 2-core machine that takes a while.
        await Poll.UntilAsync("ingestion under way", _ => Task.FromResult(load.Acknowledged.Count >= 20), TestContext.Current.CancellationToken,
            TimeSpan.FromSeconds(90));

        var victim = cluster.AddressOfWorker(1);
        // From the shards' statistics, which a busy shard may miss a round of: awaited, not read once.
        await Poll.UntilAsync("the worker to kill hosts series", async _ =>
            ((await cluster.StatusAsync())["members"]!.AsArray().Single(m => m!["address"]!.GetValue<string>() == victim)!["series"]?["entities"]?.GetValue<int>() ?? 0) > 0,
            TestContext.Current.CancellationToken, TimeSpan.FromSeconds(60));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await cluster.Workers[1]!.KillAsync(); // SIGKILL: no leave, no handover
        var acknowledgedAtKill = load.Acknowledged.Count;

        await cluster.WaitForWorkersAsync(2); // downed by the split brain resolver, removed
        output.WriteLine($"the killed worker was removed after {clock.Elapsed.TotalSeconds:0.0} s");
        await Poll.UntilAsync("ingestion resumed on the survivors", _ => Task.FromResult(load.Acknowledged.Count > acknowledgedAtKill),
            TestContext.Current.CancellationToken, TimeSpan.FromSeconds(120));
        output.WriteLine($"the first request after the kill was acknowledged after {clock.Elapsed.TotalSeconds:0.0} s");
        await Poll.UntilAsync("ingestion going on", _ => Task.FromResult(load.Acknowledged.Count >= acknowledgedAtKill + 20),
            TestContext.Current.CancellationToken, TimeSpan.FromSeconds(120));
        output.WriteLine($"20 more after {clock.Elapsed.TotalSeconds:0.0} s");
        await stop.CancelAsync();
        await running;
        output.WriteLine($"{load.Acknowledged.Count} requests of 1,000 points acknowledged; longest gap {load.LongestGap.TotalSeconds:0.0} s; " +
                         $"longest wait for an answer {load.LongestWait.TotalSeconds:0.0} s; " +
                         $"{load.RetriesTold} retries told; other answers: {load.OtherAnswers.Count}");

        Assert.Empty(await load.VerifyAsync(cluster.Api.Client));
        // Downed as soon as it was unreachable: its port refused connections, so its process was provably gone.
        Assert.Contains(cluster.Apis.Select(a => a.Output).Concat([cluster.Workers[0]!.Output, cluster.Workers[2]!.Output]),
            text => text.Contains($"Cluster member {victim} is unreachable and refuses connections on its cluster port", StringComparison.Ordinal));
        // The counts come from the shards' statistics, which a shard busy recovering may miss a round of: awaited.
        await Poll.UntilAsync("every series counted on the survivors", async _ =>
            (await cluster.StatusAsync())["members"]!.AsArray().Sum(m => m!["series"]?["entities"]?.GetValue<int>() ?? 0) == 1000,
            TestContext.Current.CancellationToken, TimeSpan.FromSeconds(60));
        // Every series on the survivors recovered its detectors from the snapshot and the journal after it: each
        // detector has seen every point of its series, none started over.
        for (var h = 0; h < load.Hosts; h += 9)
        {
            var state = await cluster.Api.Client.GetJsonAsync($"/api/v1/series/{load.Host(h)}/{ClusterLoad.Metric(0)}/state");
            var points = state["point_count"]!.GetValue<long>();
            Assert.Equal(load.Acknowledged.Count, points);
            Assert.All(state["detectors"]!.AsArray(), d => Assert.Equal(points, d!["points"]!.GetValue<long>()));
        }
    }

    [Fact]
    public async Task A_rolling_restart_by_SIGTERM_loses_nothing_and_the_client_sees_only_retries()
    {
        await using var cluster = await PerfCluster.StartAsync(postgres, workers: 3, apis: 1);
        var load = new ClusterLoad([cluster.Api.Client], hosts: 50, hostPrefix: "roll");
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Poll.UntilAsync("ingestion under way", _ => Task.FromResult(load.Acknowledged.Count >= 10), TestContext.Current.CancellationToken,
            TimeSpan.FromSeconds(90));

        for (var i = 0; i < cluster.Workers.Length; i++)
        {
            // A graceful leave: the worker hands its shards over before it exits.
            Assert.Equal(0, await cluster.Workers[i]!.TerminateAsync(TimeSpan.FromSeconds(60)));
            await cluster.WaitForWorkersAsync(2);
            cluster.StartWorker(i);
            await cluster.WaitForWorkersAsync(3);
            var before = load.Acknowledged.Count;
            await Poll.UntilAsync($"ingestion after restarting worker {i}", _ => Task.FromResult(load.Acknowledged.Count >= before + 5),
                TestContext.Current.CancellationToken, TimeSpan.FromSeconds(60));
        }
        await stop.CancelAsync();
        await running;
        output.WriteLine($"{load.Acknowledged.Count} requests acknowledged; longest gap {load.LongestGap.TotalSeconds:0.0} s; {load.RetriesTold} retries told");

        Assert.Empty(load.OtherAnswers);
        Assert.Empty(await load.VerifyAsync(cluster.Api.Client));
    }

    [Fact]
    public async Task Operators_see_members_shards_and_entities_and_can_ask_a_worker_to_leave()
    {
        await using var cluster = await PerfCluster.StartAsync(postgres, workers: 2, apis: 1);
        var load = new ClusterLoad([cluster.Api.Client], hosts: 10, hostPrefix: "ops");
        using (var stop = new CancellationTokenSource())
        {
            var running = load.RunAsync(stop.Token);
            await Poll.UntilAsync("a few requests", _ => Task.FromResult(load.Acknowledged.Count >= 3), TestContext.Current.CancellationToken);
            await stop.CancelAsync();
            await running;
        }

        var status = await cluster.StatusAsync();
        var members = status["members"]!.AsArray();
        Assert.Equal(3, members.Count);
        Assert.Equal(2, members.Count(m => m!["roles"]!.AsArray().Any(r => r!.GetValue<string>() == "worker")));
        Assert.Equal(100, members.Sum(m => m!["series"]?["entities"]?.GetValue<int>() ?? 0));
        Assert.Null(members.Single(m => m!["self"]!.GetValue<bool>())!["series"]); // the api node holds no entity
        var (exitCode, table, _) = await PerfCli.RunAsync("cluster", "status", "--url", cluster.Api.BaseAddress.ToString(), "--api-key", PerfNodeProcess.AdminKey);
        Assert.Equal(0, exitCode);
        Assert.Contains(cluster.AddressOfWorker(0), table);

        using var leave = await cluster.Api.Client.PostJsonAsync($$"""{"address":"{{cluster.AddressOfWorker(1)}}"}""", "/api/v1/cluster/leave");
        Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        await cluster.WaitForWorkersAsync(1);
        Assert.Empty(await load.VerifyAsync(cluster.Api.Client)); // its series moved to the remaining worker
        using var unknown = await cluster.Api.Client.PostJsonAsync("""{"address":"akka.tcp://perf@127.0.0.1:1"}""", "/api/v1/cluster/down");
        await unknown.ExpectProblemAsync(HttpStatusCode.NotFound, "address");
    }

    [Fact]
    public async Task Alerts_raised_during_a_failover_are_delivered_and_duplicates_stay_bounded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var hook = await HttpReceiver.StartAsync(ct);
        await using var cluster = await PerfCluster.StartAsync(postgres, workers: 3, apis: 1, new Dictionary<string, string>
        {
            ["PERF_MONITORING__ALERTS__NOTIFICATION_DELAY"] = "1s",
            ["PERF_MONITORING__ALERTS__CHANNELS"] = "hook",
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__HOOK__TYPE"] = "webhook",
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__HOOK__URL"] = hook.Url("/perf").ToString(),
            ["PERF_PERF__NOTIFICATIONS__RETRY__INITIAL"] = "200ms",
            ["PERF_PERF__NOTIFICATIONS__RETRY__MAX"] = "1s",
            ["PERF_PERF__NOTIFICATIONS__RETRY__ATTEMPTS"] = "1000",
        });
        var start = NodeApi.RecentSecond(5);
        async Task BreachAsync(string host)
        {
            foreach (var seconds in new[] { 0, 30, 60 }) // cpu_usage critical (97 > 90) for a minute of sample time
            {
                var body = NodeApi.Serialize(new { host, timestamp = NodeApi.Iso(start.AddSeconds(seconds)), metrics = new { cpu = new { usage = 97 } } });
                await Poll.UntilAsync($"{host} accepted", async _ =>
                {
                    using var response = await cluster.Api.Client.PostJsonAsync(body);
                    return response.StatusCode == HttpStatusCode.Accepted; // 429/503 during the failover: send it again
                }, ct, TimeSpan.FromSeconds(120));
            }
        }

        string[] before = [.. Enumerable.Range(0, 5).Select(i => $"alert-before-{i}")];
        string[] during = [.. Enumerable.Range(0, 5).Select(i => $"alert-during-{i}")];
        foreach (var host in before) await BreachAsync(host);
        // The first worker is the oldest: it runs the singletons, the notification dispatcher among them.
        await cluster.Workers[0]!.KillAsync();
        foreach (var host in during) await BreachAsync(host);
        await cluster.WaitForWorkersAsync(2);

        var firing = await Poll.UntilAsync("a firing notification for every breached host", _ =>
        {
            var notifications = hook.Requests.Select(r => r.Json()).Where(j => j.GetProperty("status").GetString() == "firing").ToArray();
            var hosts = notifications.SelectMany(n => n.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("host").GetString())).ToHashSet();
            return Task.FromResult(before.Concat(during).All(hosts.Contains) ? notifications : null);
        }, ct, TimeSpan.FromSeconds(120));
        var ids = firing.Select(n => n.GetProperty("id").GetString()!).ToArray();
        var duplicates = ids.Length - ids.Distinct().Count();
        output.WriteLine($"{ids.Length} firing notifications delivered, {ids.Distinct().Count()} distinct, {duplicates} delivered again after the failover");
        // At least once; a notification whose delivery was not yet recorded when its dispatcher died is sent again by the
        // new one, so duplicates are bounded by what was in flight: at most one per notification.
        Assert.True(duplicates <= ids.Distinct().Count(), $"{duplicates} duplicates of {ids.Distinct().Count()} notifications");
        Assert.All(ids.GroupBy(id => id), g => Assert.True(g.Count() <= 2, $"{g.Key} delivered {g.Count()} times"));
    }

    [Fact]
    public async Task A_member_that_stops_answering_raises_the_unreachable_system_alert_and_it_resolves_when_the_member_is_back()
    {
        await using var cluster = await PerfCluster.StartAsync(postgres, workers: 1, apis: 2, extra: new Dictionary<string, string>
        {
            ["PERF_PERF__SELF_MONITORING__ENABLED"] = "true",
            ["PERF_PERF__SELF_MONITORING__INTERVAL"] = "1s",
            ["PERF_PERF__CLUSTER__DOWN_UNREACHABLE_AFTER"] = "5m", // frozen, not downed: it comes back
        });
        // The second api node (no shards, so every node's figures stay writable) is frozen: alive but silent.
        var frozen = cluster.Apis[1].Process!.Id;
        await SignalAsync(frozen, "STOP");
        try
        {
            var firing = await SelfMonitoring.SelfMonitoringTests.SystemAlertAsync(cluster.Api.Client, "system_cluster_unreachable", "firing");
            Assert.Equal("critical", firing["severity"]!.GetValue<string>());
            output.WriteLine($"unreachable seen by {firing["metric"]!.GetValue<string>()}");
        }
        finally
        {
            await SignalAsync(frozen, "CONT");
        }
        await SelfMonitoring.SelfMonitoringTests.SystemAlertAsync(cluster.Api.Client, "system_cluster_unreachable", "resolved");
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
