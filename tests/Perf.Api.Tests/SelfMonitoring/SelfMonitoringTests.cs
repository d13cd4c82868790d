using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.SelfMonitoring;

/// <summary>
/// A node that reports its own figures every second (and expects samples every second), shared by the tests that
/// inject a failure into it for real: a sender that stops, a flood of rejected requests, slow journal writes.
/// </summary>
public sealed class MonitoredNode : IAsyncLifetime
{
    public static readonly Dictionary<string, string> Environment = new()
    {
        ["PERF_PERF__SELF_MONITORING__INTERVAL"] = "1s",
        ["PERF_PERFORMANCE__COLLECTION_INTERVAL"] = "1s",
        ["PERF_PERF__SELF_MONITORING__FAILURE_WINDOW"] = "3s",
    };

    public PerfNodeProcess Node { get; } = new(Environment);
    public HttpClient Client => Node.Client;
    public ValueTask InitializeAsync() => new(Node.StartAsync());
    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

/// <summary>The engine watching itself: its figures as host perf-system, the system alerts they raise and resolve, and
/// the status and profile endpoints.</summary>
public sealed class SelfMonitoringTests(MonitoredNode fixture) : IClassFixture<MonitoredNode>
{
    public static readonly TimeSpan AlertTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The system alert of <paramref name="rule"/> (on a series whose name contains <paramref name="series"/>) once it is in <paramref name="state"/>.</summary>
    public static Task<JsonNode> SystemAlertAsync(HttpClient client, string rule, string state, string series = "") =>
        Poll.UntilAsync($"system alert {rule} {series} {state}", async _ =>
                (await client.GetJsonAsync("/api/v1/alerts?host=perf-system"))["alerts"]!.AsArray()
                .FirstOrDefault(a => a!["rule"]!.GetValue<string>() == rule && a["state"]!.GetValue<string>() == state
                                     && a["metric"]!.GetValue<string>().Contains(series, StringComparison.Ordinal)),
            TestContext.Current.CancellationToken, AlertTimeout);

    private async Task PostCpuAsync(string host, double value) =>
        await (await fixture.Client.PostJsonAsync(NodeApi.Serialize(new
        {
            host,
            timestamp = NodeApi.Iso(DateTimeOffset.UtcNow),
            metrics = new { cpu = new { usage = value } },
        }))).ExpectAcceptedAsync();

    [Fact]
    public async Task The_node_writes_its_figures_as_host_perf_system_and_exports_them_at_metrics()
    {
        await PostCpuAsync("figures-1", 12);

        string[] expected =
        [
            "perf.points.ingested.rate", "perf.journal.write.duration.p99", "perf.detector.duration.mean", "perf.alerts.evaluation.duration.count",
            "perf.series.active", "perf.series.recovering", "perf.mailbox.depth", "perf.cluster.members", "perf.cluster.unreachable",
            "perf.disk.free_percent", "perf.sources.silent", "perf.ingest.rejected_percent", "perf.process.resident_memory",
        ];
        string[] series = [];
        await Poll.UntilAsync("every figure of the node as a series of host perf-system", async _ =>
        {
            var view = await fixture.Client.GetAsync("/api/v1/hosts/perf-system");
            if (view.StatusCode != HttpStatusCode.OK) return false;
            series = [.. (await view.ReadJsonAsync())["series"]!.AsArray().Select(s => s!["metric"]!.GetValue<string>())];
            // The per-protocol figures of the JSON post above may come one report after the first figures (another test's
            // protocol may have been reported first), so they are part of the condition rather than asserted afterwards.
            return expected.All(name => series.Any(m => m.StartsWith(name + "{", StringComparison.Ordinal)))
                   && series.Any(m => m.StartsWith("perf.points.ingested.rate{", StringComparison.Ordinal) && m.Contains("protocol=\"json\""))
                   && series.Any(m => m.StartsWith("perf.ingest.rejected_percent{", StringComparison.Ordinal) && m.Contains("protocol=\"json\""));
        }, TestContext.Current.CancellationToken);
        Assert.All(series, m => Assert.Contains("node=\"127.0.0.1:", m));

        var scrape = await (await fixture.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        foreach (var exported in new[]
                 {
                     "perf_ingest_requests_total{", "perf_alerts_evaluation_duration_milliseconds_bucket", "perf_series_recovering",
                     "perf_mailbox_depth", "perf_cluster_members{", "perf_disk_free_ratio",
                 })
            Assert.Contains(exported, scrape);
        Assert.Contains("protocol=\"json\"", scrape[scrape.IndexOf("perf_points_ingested_total{", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task A_source_that_stops_sending_raises_a_system_alert_naming_it_that_resolves_when_it_sends_again()
    {
        for (var i = 0; i < 3; i++) await PostCpuAsync("stops-1", 20 + i);
        // Meanwhile a replay of yesterday's samples of another host ends too: history, not a source that stopped.
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        await (await fixture.Client.PostJsonAsync(NodeApi.Serialize(Enumerable.Range(0, 3).Select(i => new
        {
            host = "replayed-1",
            timestamp = NodeApi.Iso(yesterday.AddMinutes(i)),
            metrics = new { cpu = new { usage = 10.0 + i } },
        })))).ExpectAcceptedAsync();

        // Silent after three collection intervals (3 s here) without a sample: the alert's series names the host.
        var firing = await SystemAlertAsync(fixture.Client, "system_source_silent", "firing", "host=\"stops-1\"");
        Assert.Equal("warning", firing["severity"]!.GetValue<string>());
        var node = await Poll.UntilAsync("the status to name the silent source", async _ =>
        {
            var status = (await fixture.Client.GetJsonAsync("/api/v1/system/status"))["nodes"]!.AsArray().Single()!;
            return status["reasons"]!.AsArray().Any(r => r!["metric"]!.GetValue<string>().Contains("host=\"stops-1\"")) ? status : null;
        }, TestContext.Current.CancellationToken);
        Assert.Equal("degraded", node["status"]!.GetValue<string>());
        Assert.True(node["figures"]!["sources_silent"]!.GetValue<double>() >= 1);
        Assert.DoesNotContain(node["reasons"]!.AsArray(), r => r!["metric"]!.GetValue<string>().Contains("host=\"replayed-1\""));
        var alerts = await fixture.Client.GetStringAsync("/api/v1/alerts?host=perf-system");
        Assert.Contains("stops-1", alerts);
        Assert.DoesNotContain("replayed-1", alerts);

        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await PostCpuAsync("stops-1", 30);
                await Task.Delay(300);
            }
        });
        await SystemAlertAsync(fixture.Client, "system_source_silent", "resolved", "host=\"stops-1\"");
        await stop.CancelAsync();
        await sending;
    }

    [Fact]
    public async Task The_reserved_host_is_refused_to_senders()
    {
        var refused = await fixture.Client.PostJsonAsync(NodeApi.Serialize(new
        {
            host = "perf-system", timestamp = NodeApi.Iso(DateTimeOffset.UtcNow), metrics = new { disk = new { free_percent = 1 } },
        }));
        await refused.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "host");
        using var line = new StringContent("disk,host=perf-system free_percent=1\n", Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await fixture.Client.PostAsync("/write?db=perf", line)).StatusCode);
    }

    [Fact]
    public async Task A_flood_of_rejected_requests_raises_a_system_alert_for_its_protocol_that_resolves_when_it_stops()
    {
        // Line protocol with a bad line: 400, the whole request refused. The flood lasts until the alert fires: a figure
        // needs MinRequestsForPercent requests within one report interval, which a fixed burst on a busy machine may
        // spread too thinly.
        using var stop = new CancellationTokenSource();
        var flooding = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var body = new StringContent("flood-1 cpu=notanumber\n", Encoding.UTF8, "text/plain");
                using var response = await fixture.Client.PostAsync("/write?db=perf", body);
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            }
        });

        // (The protocol's own alert: another test's refused JSON request may briefly raise one for json.)
        var firing = await SystemAlertAsync(fixture.Client, "system_ingest_rejections", "firing", "protocol=\"line_protocol\"");
        Assert.Equal("critical", firing["severity"]!.GetValue<string>());
        await stop.CancelAsync();
        await flooding;

        // The next intervals see no rejected request: 0 %.
        await SystemAlertAsync(fixture.Client, "system_ingest_rejections", "resolved", "protocol=\"line_protocol\"");
    }

    [Fact]
    public async Task Slow_journal_writes_raise_a_system_alert_and_the_status_says_why()
    {
        // Another process takes the database's write lock for 2 s out of every 3.5: the node's journal writes wait for
        // it (SQLite's busy timeout), as they would behind a stalling disk. Samples keep coming meanwhile (a write
        // that waits too long is answered 503, which a sender retries).
        var database = Path.Combine(fixture.Node.DataDirectory, "perf.db");
        using var stop = new CancellationTokenSource();
        var locking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Sqlite3Async(database, "BEGIN IMMEDIATE;", ".shell sleep 2", "COMMIT;");
                await Task.Delay(1500);
            }
        });
        var sending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var _ = await fixture.Client.PostJsonAsync(NodeApi.Serialize(new
                {
                    host = "slow-1", timestamp = NodeApi.Iso(DateTimeOffset.UtcNow), metrics = new { cpu = new { usage = 50 } },
                }));
                await Task.Delay(200);
            }
        });
        try
        {
            // The lock comes and goes, so the alert fires and resolves with it and soon flaps: either state is the alert
            // raised (a poll may miss the seconds it spends firing before it flaps).
            var raised = await Poll.UntilAsync("system alert system_journal_latency raised", async _ =>
                (await fixture.Client.GetJsonAsync("/api/v1/alerts?host=perf-system"))["alerts"]!.AsArray()
                .FirstOrDefault(a => a!["rule"]!.GetValue<string>() == "system_journal_latency" && a["state"]!.GetValue<string>() is "firing" or "flapping"),
                TestContext.Current.CancellationToken, AlertTimeout);
            Assert.StartsWith("perf.journal.write.duration.p99{", raised["metric"]!.GetValue<string>());
            var history = await fixture.Client.GetJsonAsync($"/api/v1/alerts/{raised["id"]!.GetValue<string>()}");
            Assert.Contains(history["transitions"]!.AsArray(), t => t!["to"]!.GetValue<string>() == "firing" && t["value"]!.GetValue<double>() > 500);
            var node = await Poll.UntilAsync("the status to give the slow journal as a reason", async _ =>
            {
                var status = (await fixture.Client.GetJsonAsync("/api/v1/system/status"))["nodes"]!.AsArray().Single()!;
                return status["reasons"]!.AsArray().Any(r => r!["rule"]!.GetValue<string>() == "system_journal_latency") ? status : null;
            }, TestContext.Current.CancellationToken);
            Assert.Equal("degraded", node["status"]!.GetValue<string>());
        }
        finally
        {
            await stop.CancelAsync();
            await locking;
            await sending;
        }

        // (Only the resolution: on a machine loaded by the whole suite, writes may really be slow again right after.)
        await SystemAlertAsync(fixture.Client, "system_journal_latency", "resolved");
    }

    [Fact]
    public async Task The_profile_gives_a_latency_histogram_for_each_stage_of_the_write_path()
    {
        for (var i = 0; i < 5; i++) await PostCpuAsync("profile-1", i);

        var profile = await fixture.Client.GetJsonAsync("/api/v1/system/profile");
        var stages = profile["stages"]!.AsArray().ToDictionary(s => s!["stage"]!.GetValue<string>(), s => s!);
        Assert.Equal(["alert_evaluation", "detectors", "journal_write", "parse", "queue_wait", "reply"], stages.Keys.Order());
        foreach (var stage in new[] { "parse", "queue_wait", "journal_write", "detectors", "reply" })
        {
            Assert.True(stages[stage]["count"]!.GetValue<long>() >= 5, $"{stage}: {stages[stage].ToJsonString()}");
            var (p50, p99, max) = (stages[stage]["p50_ms"]!.GetValue<double>(), stages[stage]["p99_ms"]!.GetValue<double>(), stages[stage]["max_ms"]!.GetValue<double>());
            Assert.True(p50 <= p99 && p99 <= max * 1.02, $"{stage}: p50 {p50} p99 {p99} max {max}");
        }
        Assert.True(stages["journal_write"]["max_ms"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task A_report_that_cannot_be_stored_raises_a_system_alert_that_resolves_when_reports_succeed_again()
    {
        await PostCpuAsync("report-1", 40);
        // A storage fault, injected in the node's own database: every report file insert is refused.
        var database = Path.Combine(fixture.Node.DataDirectory, "perf.db");
        await Sqlite3Async(database, "CREATE TRIGGER refuse_reports BEFORE INSERT ON report_files BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
        using var stop = new CancellationTokenSource();
        Task? failing = null;
        try
        {
            var failed = await CreateReportAsync();
            Assert.Equal("failed", failed["status"]!.GetValue<string>());
            Assert.Contains("injected fault", failed["error"]!.GetValue<string>());
            // Reports keep failing from here on, one after the other, so no gap outlasts the 3 s window of a failure.
            failing = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested) Assert.Equal("failed", (await CreateReportAsync())["status"]!.GetValue<string>());
            });
            var firing = await SystemAlertAsync(fixture.Client, "system_report_failures", "firing");

            // While reports keep failing the alert stays firing, past the window of any one failure: the node's next five
            // reports of the figure (five seconds of its own clock, more than the 3 s window) each still count failures.
            var since = Uri.EscapeDataString(NodeApi.Iso(DateTimeOffset.UtcNow));
            var figure = $"/api/v1/series/perf-system/{Uri.EscapeDataString(firing["metric"]!.GetValue<string>())}?start={since}";
            var reports = await Poll.UntilAsync("five more reports of the failure figure", async _ =>
            {
                var points = (await fixture.Client.GetJsonAsync(figure))["points"]!.AsArray();
                return points.Count >= 5 ? points : null;
            }, TestContext.Current.CancellationToken, AlertTimeout);
            Assert.All(reports, p => Assert.True(p!["value"]!.GetValue<double>() >= 1, p.ToJsonString()));
            var history = await fixture.Client.GetJsonAsync($"/api/v1/alerts/{firing["id"]!.GetValue<string>()}");
            Assert.DoesNotContain("resolved", history["transitions"]!.AsArray().Select(t => t!["to"]!.GetValue<string>()));
        }
        finally
        {
            await stop.CancelAsync();
            if (failing is not null) await failing;
            await Sqlite3Async(database, "DROP TRIGGER IF EXISTS refuse_reports;");
        }

        Assert.Equal("done", (await CreateReportAsync())["status"]!.GetValue<string>());
        await SystemAlertAsync(fixture.Client, "system_report_failures", "resolved");
    }

    private async Task<JsonNode> CreateReportAsync()
    {
        var created = await (await fixture.Client.PostJsonAsync(
            """{"report_type": "performance_summary", "time_range": "1h", "metrics": ["cpu_usage"], "hosts": ["report-1"], "format": "csv"}""",
            "/api/v1/performance/reports")).ReadJsonAsync();
        var id = created["id"]!.GetValue<string>();
        return await Poll.UntilAsync($"report {id} to end", async _ =>
        {
            var job = await fixture.Client.GetJsonAsync($"/api/v1/reports/{id}");
            return job["status"]!.GetValue<string>() is "done" or "failed" ? job : null;
        }, TestContext.Current.CancellationToken);
    }

    private static async Task Sqlite3Async(string database, params string[] commands)
    {
        using var process = Process.Start(new ProcessStartInfo("sqlite3", ["-cmd", ".timeout 30000", database, .. commands]) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
    }

}

/// <summary>A notification channel that cannot deliver (an SMTP server that is not there) and then can.</summary>
public sealed class NotificationFailureTests
{
    [Fact]
    public async Task Notifications_failing_past_their_retries_raise_a_system_alert_that_resolves_once_the_channel_delivers()
    {
        var port = LoopbackPort.Free(); // nothing listens here yet
        var environment = new Dictionary<string, string>(MonitoredNode.Environment)
        {
            ["PERF_MONITORING__ALERTS__NOTIFICATION_DELAY"] = "1s",
            ["PERF_MONITORING__ALERTS__CHANNELS"] = "mail",
            ["PERF_PERF__NOTIFICATIONS__RETRY__INITIAL"] = "100ms",
            ["PERF_PERF__NOTIFICATIONS__RETRY__MAX"] = "200ms",
            ["PERF_PERF__NOTIFICATIONS__RETRY__ATTEMPTS"] = "2",
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__MAIL__TYPE"] = "email",
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__MAIL__SMTP_HOST"] = "127.0.0.1",
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__MAIL__SMTP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__MAIL__FROM"] = "perf@example.com",
            ["PERF_PERF__NOTIFICATIONS__CHANNELS__MAIL__TO"] = "oncall@example.com",
        };
        await using var node = new PerfNodeProcess(environment);
        await node.StartAsync();

        // A breach to notify about: cpu_usage critical at 90.
        await (await node.Client.PostJsonAsync(NodeApi.Serialize(Enumerable.Range(0, 4).Select(i => new
        {
            host = "notify-fail-1",
            timestamp = NodeApi.Iso(DateTimeOffset.UtcNow.AddSeconds(-90 + 30 * i)),
            metrics = new { cpu = new { usage = 97 } },
        })))).ExpectAcceptedAsync();

        var firing = await SelfMonitoringTests.SystemAlertAsync(node.Client, "system_notification_failures", "firing");
        Assert.Equal("critical", firing["severity"]!.GetValue<string>());
        var failed = await node.Client.GetJsonAsync("/api/v1/notifications?status=failed");
        Assert.NotEmpty(failed["deliveries"]!.AsArray());

        // The mail server comes up on that port: no more failures, the alert resolves, and its resolution is mailed.
        await using var smtp = SmtpSink.On(port);
        await smtp.InitializeAsync();
        await SelfMonitoringTests.SystemAlertAsync(node.Client, "system_notification_failures", "resolved");
        await Poll.UntilAsync("a delivered mail", _ => Task.FromResult(smtp.Messages().Count > 0), TestContext.Current.CancellationToken, TimeSpan.FromSeconds(60));
    }
}

/// <summary>The data directory's disk filling up: a small tmpfs where the tests may mount one, else a quota.</summary>
public sealed class DiskSpaceTests
{
    [Fact]
    public async Task A_filling_disk_raises_a_system_alert_that_resolves_when_space_is_freed()
    {
        const long size = 256L * 1024 * 1024;
        await using var disk = await SmallDisk.TryMountAsync(size);
        var directory = disk?.Directory ?? Path.Combine(Path.GetTempPath(), "perf-disk-" + Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>(MonitoredNode.Environment);
        if (disk is null) environment["PERF_PERF__SELF_MONITORING__DISK_QUOTA"] = "256MB";
        try
        {
            var dataDir = Path.Combine(directory, "data");
            await using (var node = new PerfNodeProcess(environment, dataDir))
            {
                await node.StartAsync();
                var figure = await Poll.UntilAsync("the disk figure", async _ =>
                    (await node.Client.GetJsonAsync("/api/v1/system/status"))["nodes"]!.AsArray().FirstOrDefault()?["figures"]?["disk_free_percent"],
                    TestContext.Current.CancellationToken);
                var free = figure.GetValue<double>();
                Assert.True(free > 50, $"{free}% free before filling");

                // Fill it to about 4 % free: below the critical 5 % (and room left for the node's own writes).
                var filler = Path.Combine(disk is null ? dataDir : directory, "filler.bin");
                await SmallDisk.FillAsync(filler, (long)(size * (free - 4) / 100));
                // Critical once the figure is below 5 %: a report taken while the file was still growing may first
                // raise it as a warning (below 10 %), which the next report escalates.
                await Poll.UntilAsync("system alert system_disk_space firing as critical", async _ =>
                        (await node.Client.GetJsonAsync("/api/v1/alerts?host=perf-system&state=firing&severity=critical"))["alerts"]!.AsArray()
                        .Any(a => a!["rule"]!.GetValue<string>() == "system_disk_space"),
                    TestContext.Current.CancellationToken, SelfMonitoringTests.AlertTimeout);

                File.Delete(filler);
                await SelfMonitoringTests.SystemAlertAsync(node.Client, "system_disk_space", "resolved");
            }
        }
        finally
        {
            if (disk is null) Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>A detector's stored state damaged on disk: the series recovers anyway, and the failure is an alert.</summary>
public sealed class DamagedDetectorStateTests
{
    [Fact]
    public async Task A_detector_state_that_cannot_be_read_raises_the_detector_system_alert_and_the_series_keeps_its_points()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-damaged-state", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>(MonitoredNode.Environment) { ["PERF_PERF__SERIES__SNAPSHOT_EVERY"] = "20" };
        var start = NodeApi.RecentSecond(60);
        try
        {
            await using (var node = new PerfNodeProcess(environment, dataDir))
            {
                await node.StartAsync();
                // 60 writes of 3 points: snapshots with the detectors' states in them.
                for (var w = 0; w < 60; w++)
                    await (await node.Client.PostJsonAsync(NodeApi.Serialize(Enumerable.Range(3 * w, 3).Select(i => new
                    {
                        host = "restore-1", timestamp = NodeApi.Iso(start.AddSeconds(10 * i)), metrics = new { cpu = new { usage = 40 + (i % 7) } },
                    })))).ExpectAcceptedAsync();
                Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(60)));
            }

            // Overwrite the ensemble's stored state (all but its type tag and first fields) with 0xFF, in place.
            var damaged = await RunPythonAsync($$"""
                import sqlite3
                db = sqlite3.connect({{PythonString(Path.Combine(dataDir, "perf.db"))}})
                row = db.execute("SELECT sequence_nr, payload FROM host_snapshots WHERE host = 'restore-1'").fetchone()
                buf = bytearray(row[1])
                # The state is a length-prefixed byte array that starts with the detector's type tag (the key before
                # it may be the same string): the occurrence preceded by a length that fits is the state.
                found = []
                p = buf.find(b"\x08ensemble")
                while p >= 0:
                    for n in (1, 2, 3):
                        part = buf[p - n:p]
                        if len(part) < n or part[-1] & 0x80 or any(b & 0x80 == 0 for b in part[:-1]): continue
                        length = sum((b & 0x7F) << (7 * i) for i, b in enumerate(part))
                        if 100 < length and p + length <= len(buf): found.append((p, length))
                    p = buf.find(b"\x08ensemble", p + 1)
                p, length = found[-1]
                for i in range(p + 9 + 16, p + length): buf[i] = 0xFF
                db.execute("UPDATE host_snapshots SET payload = ? WHERE host = 'restore-1'", (bytes(buf),))
                db.commit()
                print(length)
                """);
            Assert.True(int.Parse(damaged.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 100, damaged);

            await using var restarted = new PerfNodeProcess(environment, dataDir);
            await restarted.StartAsync();
            var state = await restarted.Client.GetJsonAsync("/api/v1/series/restore-1/cpu.usage/state");
            Assert.Equal(180, state["point_count"]!.GetValue<long>()); // every point is still there

            var firing = await SelfMonitoringTests.SystemAlertAsync(restarted.Client, "system_detector_failures", "firing", "detector=\"ensemble\"");
            Assert.Equal("warning", firing["severity"]!.GetValue<string>());
            Assert.Contains("Detector ensemble of restore-1/cpu.usage failed", restarted.Output);
            await SelfMonitoringTests.SystemAlertAsync(restarted.Client, "system_detector_failures", "resolved", "detector=\"ensemble\"");
        }
        finally
        {
            if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        }
    }

    private static string PythonString(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    private static async Task<string> RunPythonAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo(SmtpSink.Python, ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
