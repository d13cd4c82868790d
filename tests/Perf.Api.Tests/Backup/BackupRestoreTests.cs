using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Perf.Storage.Hosts;
using Perf.Actors.Configuration;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Backup;

/// <summary>
/// Backup through the API while the node ingests, restore with <c>perf restore</c> into a fresh data directory, and a
/// node started on it answers with exactly the data the backup held.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    /// <summary>Small chunks, frequent snapshots and a short tolerance: the backup holds snapshots, journal tails and
    /// sealed chunks, as a long-running node's does. A host snapshots after 3 to 6 records (its own offset): the hosts
    /// that write 150 points write 7 (registration and 6 requests), so each has a snapshot.</summary>
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["PERF_PERF__SERIES__CHUNK_MAX_POINTS"] = "10",
        ["PERF_PERF__SERIES__SNAPSHOT_EVERY"] = "3",
        ["PERF_PERF__INGEST__OUT_OF_ORDER_TOLERANCE"] = "1s",
    };

    private static readonly string[] Hosts = ["db-1", "web-1"];
    private static readonly string[] Metrics = ["cpu.usage", "application.response_time"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "perf-backup-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task A_restored_backup_holds_every_point_written_before_it_and_none_after()
    {
        var original = Path.Combine(_root, "original");
        var restored = Path.Combine(_root, "restored");
        var start = NodeApi.RecentSecond(50);
        string backupFile;
        var busySent = new List<long>();
        long busyAckedBeforeBackup;

        await using (var node = new PerfNodeProcess(Environment, original))
        {
            await node.StartAsync();
            await IngestAsync(node.Client, Hosts, start, from: 0, count: 150);

            // A host that keeps writing, one acknowledged request at a time, all through the backup.
            using var stopBusy = new CancellationTokenSource();
            var busyAcked = 0L;
            var busy = Task.Run(async () =>
            {
                for (var i = 0; !stopBusy.IsCancellationRequested; i++)
                {
                    var t = start.AddSeconds(i).ToUnixTimeMilliseconds();
                    lock (busySent) busySent.Add(t);
                    await (await node.Client.PostJsonAsync(Body("busy", start.AddSeconds(i), i))).ExpectAcceptedAsync();
                    Interlocked.Exchange(ref busyAcked, t);
                }
            });
            await WaitUntilAsync(() => Interlocked.Read(ref busyAcked) > 0);
            busyAckedBeforeBackup = Interlocked.Read(ref busyAcked);

            using var response = await node.Client.PostJsonAsync("""{"name": "before-more"}""", "/api/v1/admin/backup");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {body}");
            Assert.Equal("/api/v1/admin/backups/before-more.db", response.Headers.Location?.OriginalString);
            var backup = JsonNode.Parse(body)!;
            stopBusy.Cancel();
            await busy;

            Assert.Equal("before-more.db", backup["name"]!.GetValue<string>());
            backupFile = backup["file"]!.GetValue<string>();
            Assert.Equal(Path.Combine(original, "backups", "before-more.db"), backupFile);
            Assert.Equal(new FileInfo(backupFile).Length, backup["size_bytes"]!.GetValue<long>());
            Assert.False(File.Exists(backupFile + "-wal"), "a backup is one file");
            var verification = backup["verification"]!;
            Assert.True(verification["ok"]!.GetValue<bool>(), verification.ToJsonString());
            Assert.Equal("ok", verification["integrity"]!.GetValue<string>());
            Assert.Equal(0, verification["failure_count"]!.GetValue<int>());
            Assert.True(verification["snapshots"]!.GetValue<int>() > 0, "the series should have snapshots by now");
            Assert.True(verification["chunks"]!.GetValue<long>() > 0, "the series should have sealed chunks by now");
            Assert.True(backup["series"]!.GetValue<int>() >= Hosts.Length * Metrics.Length + 1);
            Assert.True(backup["points"]!.GetValue<long>() >= Hosts.Length * Metrics.Length * 150L);

            // After the backup: later points of the same series, and a new host.
            await IngestAsync(node.Client, Hosts, start, from: 150, count: 50);
            await IngestAsync(node.Client, ["late-host"], start, from: 0, count: 5);

            var listed = await node.Client.GetJsonAsync("/api/v1/admin/backups");
            Assert.Contains("before-more.db", listed["backups"]!.AsArray().Select(b => b!["name"]!.GetValue<string>()));
            var one = await node.Client.GetJsonAsync("/api/v1/admin/backups/before-more.db");
            Assert.Equal(backup["size_bytes"]!.GetValue<long>(), one["size_bytes"]!.GetValue<long>());

            // Not under a running node.
            var (refused, _, refusal) = await PerfCli.RunAsync("restore", backupFile, "--data-dir", original, "--force");
            Assert.Equal(1, refused);
            Assert.Contains("running", refusal, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(original, "perf.db")));

            Assert.Equal(0, await node.InterruptAsync(TimeSpan.FromSeconds(60)));
        }

        var (exitCode, output, error) = await PerfCli.RunAsync("restore", backupFile, "--data-dir", restored);
        Assert.True(exitCode == 0, output + error);
        Assert.Contains("verified", output, StringComparison.Ordinal);
        Assert.Contains("restored", output, StringComparison.Ordinal);

        // A directory with a database: refused without --force, moved aside (not deleted) with it.
        var (again, _, againError) = await PerfCli.RunAsync("restore", backupFile, "--data-dir", restored);
        Assert.Equal(1, again);
        Assert.Contains("--force", againError, StringComparison.Ordinal);
        var (forced, forcedOutput, forcedError) = await PerfCli.RunAsync("restore", backupFile, "--data-dir", restored, "--force");
        Assert.True(forced == 0, forcedOutput + forcedError);
        var aside = Assert.Single(Directory.GetFiles(restored, "perf-before-restore-*.db"));
        Assert.Equal(new FileInfo(backupFile).Length, new FileInfo(aside).Length);

        await using var restoredNode = new PerfNodeProcess(Environment, restored);
        await restoredNode.StartAsync();
        foreach (var host in Hosts)
        foreach (var metric in Metrics)
        {
            var points = await RawPointsAsync(restoredNode.Client, host, metric);
            var expected = Enumerable.Range(0, 150).Select(i => (start.AddSeconds(i).ToUnixTimeMilliseconds(), Value(host, metric, i))).ToArray();
            Assert.Equal(expected, points);
        }
        await restoredNode.Client.GetJsonAsync("/api/v1/series/late-host/cpu.usage?start=0", HttpStatusCode.NotFound);
        // The engine's own host is there too once a node has made its first self-monitoring report, whenever that falls.
        var hosts = (await restoredNode.Client.GetJsonAsync("/api/v1/hosts"))["hosts"]!.AsArray().Select(h => h!.GetValue<string>())
            .Where(h => h != SelfMonitoringSettings.Host).Order().ToArray();
        Assert.Equal(["busy", "db-1", "web-1"], hosts);

        // The busy host: everything acknowledged before the backup began, then a gap-free run of what followed.
        var busyPoints = (await RawPointsAsync(restoredNode.Client, "busy", "cpu.usage")).Select(p => p.Timestamp).ToArray();
        long[] sent;
        lock (busySent) sent = [.. busySent];
        Assert.Equal(sent.Take(busyPoints.Length), busyPoints);
        Assert.Contains(busyAckedBeforeBackup, busyPoints);
    }

    [Fact]
    public async Task Verification_names_every_host_whose_snapshot_or_records_are_garbled_and_every_garbled_chunk()
    {
        var data = Path.Combine(_root, "node");
        var start = NodeApi.RecentSecond(50);
        string backupFile;
        await using (var node = new PerfNodeProcess(Environment, data))
        {
            await node.StartAsync();
            await IngestAsync(node.Client, Hosts, start, from: 0, count: 150);
            // Registration and two writes each, below snapshot_every and a chunk: these hosts are their log records alone (1-3).
            foreach (var host in new[] { "gap", "garbled" })
            {
                await IngestAsync(node.Client, [host], start, from: 0, count: 1);
                await IngestAsync(node.Client, [host], start, from: 1, count: 1);
            }
            using var response = await node.Client.PostAsync("/api/v1/admin/backup", null);
            var backup = await response.ReadJsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, backup.ToJsonString());
            Assert.Matches(new Regex(@"^perf-\d{8}T\d{9}Z\.db$"), backup["name"]!.GetValue<string>());
            Assert.True(backup["verification"]!["ok"]!.GetValue<bool>(), backup.ToJsonString());
            backupFile = backup["file"]!.GetValue<string>();
        }

        var (sound, soundOutput, soundError) = await PerfCli.RunAsync("backup", "verify", backupFile);
        Assert.True(sound == 0, soundOutput + soundError);
        Assert.Contains("verified", soundOutput, StringComparison.Ordinal);
        // The row that marks the log's recorded cut belongs to no host: verification skips it.
        var marked = Path.Combine(_root, "marked.db");
        File.Copy(backupFile, marked);
        Execute(marked, $"INSERT INTO host_log (position, host, sequence_nr, payload) SELECT max(position) + 1, '{SqliteHostLog.CutMarkerId}', 0, X'' FROM host_log");
        var (markedExit, markedOutput, markedError) = await PerfCli.RunAsync("backup", "verify", marked);
        Assert.True(markedExit == 0, markedOutput + markedError);

        var garbled = Path.Combine(_root, "garbled.db");
        File.Copy(backupFile, garbled);
        Execute(garbled,
            "UPDATE host_snapshots SET payload = substr(payload, 1, length(payload) / 2) WHERE host = 'db-1'",
            // The record that registered the host's series is lost: the next one names series the host does not have.
            "DELETE FROM host_log WHERE host = 'gap' AND sequence_nr = 1",
            "UPDATE host_log SET payload = X'0102' WHERE host = 'garbled' AND sequence_nr = 2",
            "UPDATE series_chunks SET data = X'00FF00FF' WHERE series_id = 'web-1/cpu.usage' AND sequence = 0");

        var (exitCode, output, error) = await PerfCli.RunAsync("backup", "verify", garbled);

        Assert.True(exitCode == 1, output + error);
        Assert.Contains("FAILED", error, StringComparison.Ordinal);
        Assert.Contains("hosts (3 failed)", error, StringComparison.Ordinal);
        Assert.Contains("chunks (1 failed)", error, StringComparison.Ordinal);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(error, @"host-db-1: snapshot at record \d+: host snapshot is (truncated|damaged)"), error);
        Assert.Contains("host-gap: record 2: names series 0; the host has 0 by then", error, StringComparison.Ordinal);
        Assert.Contains("host-garbled: record 2: host record is truncated", error, StringComparison.Ordinal);
        Assert.Contains("series-web-1/cpu.usage: chunk 0:", error, StringComparison.Ordinal);
        // The sound hosts are not reported.
        Assert.DoesNotContain("host-web-1:", error, StringComparison.Ordinal);

        // perf restore verifies first and restores nothing from it.
        var target = Path.Combine(_root, "target");
        var (refused, _, refusal) = await PerfCli.RunAsync("restore", garbled, "--data-dir", target);
        Assert.Equal(1, refused);
        Assert.Contains("nothing restored", refusal, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, "perf.db")));
    }

    private static void Execute(string database, params string[] statements)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            Assert.Equal(1, command.ExecuteNonQuery());
        }
    }

    private static async Task<(long Timestamp, double Value)[]> RawPointsAsync(HttpClient client, string host, string metric)
    {
        var json = await client.GetJsonAsync($"/api/v1/series/{host}/{Uri.EscapeDataString(metric)}?start=0");
        return json["points"]!.AsArray()
            .Select(p => (DateTimeOffset.Parse(p!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                p["value"]!.GetValue<double>()))
            .ToArray();
    }

    /// <summary>Points <paramref name="from"/>..+count, one second apart, of every metric of every host, 25 samples a request.</summary>
    private static async Task IngestAsync(HttpClient client, IEnumerable<string> hosts, DateTimeOffset start, int from, int count)
    {
        foreach (var host in hosts)
        foreach (var batch in Enumerable.Range(from, count).Chunk(25))
            await (await client.PostJsonAsync("[" + string.Join(",", batch.Select(i => Body(host, start.AddSeconds(i), i))) + "]")).ExpectAcceptedAsync();
    }

    private static string Body(string host, DateTimeOffset t, int i) =>
        $$$"""{"host": "{{{host}}}", "timestamp": "{{{NodeApi.Iso(t)}}}", "metrics": {"cpu": {"usage": {{{Value(host, "cpu.usage", i)}}} }, "application": {"response_time": {{{Value(host, "application.response_time", i)}}} } } }""";

    private static double Value(string host, string metric, int i) => host.Length + metric.Length + i % 17 + i / 4.0;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(20, timeout.Token);
    }
}
