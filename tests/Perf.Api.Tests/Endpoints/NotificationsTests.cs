using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Endpoints;

/// <summary>Notifications end to end: a CPU breach through the API reaches real receivers, and survives a kill -9.</summary>
public sealed class NotificationsTests
{
    private static readonly DateTimeOffset Start = NodeApi.RecentSecond(10);

    private static async Task PostCpuAsync(HttpClient client, string host, int seconds, double value)
    {
        var body = $$"""{"host": "{{host}}", "timestamp": "{{NodeApi.Iso(Start.AddSeconds(seconds))}}", "metrics": {"cpu": {"usage": {{value}} } } }""";
        await (await client.PostJsonAsync(body)).ExpectAcceptedAsync();
    }

    private static async Task BreachAsync(HttpClient client, string host)
    {
        foreach (var s in new[] { 0, 30, 60 }) await PostCpuAsync(client, host, s, 97); // cpu_usage critical, for 1m
    }

    private static Dictionary<string, string> Environment(params (string Channel, string Setting, string Value)[] channels)
    {
        var environment = new Dictionary<string, string>
        {
            ["PERF_MONITORING__ALERTS__NOTIFICATION_DELAY"] = "1s",
            ["PERF_MONITORING__ALERTS__CHANNELS"] = string.Join(",", channels.Select(c => c.Channel).Distinct()),
            ["PERF_PERF__NOTIFICATIONS__RETRY__INITIAL"] = "200ms",
            ["PERF_PERF__NOTIFICATIONS__RETRY__MAX"] = "1s",
            ["PERF_PERF__NOTIFICATIONS__RETRY__ATTEMPTS"] = "1000",
        };
        foreach (var (channel, setting, value) in channels)
            environment[$"PERF_PERF__NOTIFICATIONS__CHANNELS__{channel.ToUpperInvariant()}__{setting.ToUpperInvariant()}"] = value;
        return environment;
    }

    private static IEnumerable<JsonElement> Notifications(HttpReceiver receiver, string status) =>
        receiver.Requests.Select(r => r.Json()).Where(j => j.GetProperty("status").GetString() == status);

    private static Task<ReceivedRequest> NotificationAsync(HttpReceiver receiver, string status, CancellationToken ct) =>
        Poll.UntilAsync($"a {status} notification", _ => Task.FromResult(
            receiver.Requests.FirstOrDefault(r => r.Json().GetProperty("status").GetString() == status)), ct);

    [Fact]
    public async Task A_breach_is_notified_by_webhook_email_and_alertmanager_and_its_resolution_follows()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var hook = await HttpReceiver.StartAsync(ct);
        await using var smtp = new SmtpSink();
        await smtp.InitializeAsync();
        await using var alertmanager = new AlertmanagerProcess();
        await alertmanager.InitializeAsync();
        await using var node = new PerfNodeProcess(Environment(
            ("hook", "type", "webhook"), ("hook", "url", hook.Url("/perf").ToString()),
            ("mail", "type", "email"), ("mail", "smtp_host", smtp.Host), ("mail", "smtp_port", smtp.Port.ToString()),
            ("mail", "from", "perf@example.com"), ("mail", "to", "oncall@example.com"),
            ("am", "type", "alertmanager"), ("am", "url", alertmanager.BaseUrl.ToString())));
        await node.StartAsync();

        await BreachAsync(node.Client, "notify-host");

        var firing = (await NotificationAsync(hook, "firing", ct)).Json();
        var alert = firing.GetProperty("alerts")[0];
        Assert.Equal(("notify-host", "cpu.usage", "critical"),
            (alert.GetProperty("host").GetString(), alert.GetProperty("metric").GetString(), alert.GetProperty("severity").GetString()));
        var notificationId = firing.GetProperty("id").GetString()!;
        var alertId = alert.GetProperty("alert_id").GetString()!;
        var mail = await smtp.WaitForMessageAsync("X-Perf-Notification-Id", notificationId, ct);
        Assert.Contains("notify-host", mail.Subject, StringComparison.Ordinal);
        Assert.Equal("oncall@example.com", mail.To.Mailboxes.Single().Address);
        var listed = await Poll.UntilAsync("the alert in Alertmanager", token => alertmanager.AlertAsync(alertId, token), ct);
        Assert.Equal(("cpu_usage", "notify-host"), ((string?)listed["labels"]!["alertname"], (string?)listed["labels"]!["host"]));

        await PostCpuAsync(node.Client, "notify-host", 90, 10);
        var resolved = (await NotificationAsync(hook, "resolved", ct)).Json();
        Assert.Equal(alertId, resolved.GetProperty("alerts")[0].GetProperty("alert_id").GetString());
        await Poll.UntilAsync("the alert gone from Alertmanager", async token => await alertmanager.AlertAsync(alertId, token) is null, ct);

        var deliveries = await node.Client.GetJsonAsync("/api/v1/notifications?status=delivered");
        Assert.Equal(["am", "hook", "mail"], deliveries["deliveries"]!.AsArray()
            .Where(d => d!["notification_id"]!.GetValue<string>() == notificationId).Select(d => d!["channel"]!.GetValue<string>()).Order());

        // The dispatcher's state is in the database beside the series: a backup holds it, verifies, and restores.
        await Poll.UntilAsync("the dispatcher's snapshot stored", _ => Task.FromResult(DispatcherSnapshots(node.DataDirectory) > 0), ct);
        using var backup = await node.Client.PostJsonAsync("""{"name": "after-notifying"}""", "/api/v1/admin/backup");
        var created = JsonNode.Parse(await backup.Content.ReadAsStringAsync())!;
        Assert.True(backup.StatusCode == HttpStatusCode.Created, created.ToJsonString());
        Assert.True(created["verification"]!["ok"]!.GetValue<bool>(), created["verification"]!.ToJsonString());
        Assert.True(created["verification"]!["other_events"]!.GetValue<long>() > 0, "the dispatcher's snapshot and the alert log were decoded");
        var restored = Path.Combine(Path.GetTempPath(), "perf-notification-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output, error) = await PerfCli.RunAsync("restore", created["file"]!.GetValue<string>(), "--data-dir", restored);
            Assert.True(exitCode == 0, output + error);
            Assert.Contains("restored", output, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(restored, recursive: true); } catch (IOException) { }
        }
    }

    private static long DispatcherSnapshots(string dataDirectory)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "perf.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM snapshot WHERE persistence_id = 'notification-dispatcher'";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_notification_that_could_not_be_delivered_before_a_kill_9_is_delivered_after_the_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-notification-tests", Guid.NewGuid().ToString("N"));
        await using var hook = await HttpReceiver.StartAsync(ct);
        hook.AnswerWith(503, "down for maintenance");
        var environment = Environment(("hook", "type", "webhook"), ("hook", "url", hook.Url("/perf").ToString()));
        int attemptsBeforeKill;
        await using (var node = new PerfNodeProcess(environment, dataDir))
        {
            await node.StartAsync();
            await BreachAsync(node.Client, "crash-host");
            await Poll.UntilAsync("a failed delivery attempt", _ => Task.FromResult(Notifications(hook, "firing").Any()), ct);
            // The receiver counts the request before it answers; the delivery records the 503 once the answer is back.
            var lastError = await Poll.UntilAsync("the failed attempt recorded on the pending delivery", async _ =>
                (await node.Client.GetJsonAsync("/api/v1/notifications?status=pending"))["deliveries"]!.AsArray()
                .Select(d => d!["last_error"]?.GetValue<string>()).FirstOrDefault(e => e is not null), ct);
            Assert.Contains("503", lastError, StringComparison.Ordinal);
            await node.KillAsync();
            attemptsBeforeKill = hook.Requests.Count;
        }

        hook.AnswerWith(200);
        await using var restarted = new PerfNodeProcess(environment, dataDir);
        await restarted.StartAsync();
        await Poll.UntilAsync("the delivery after the restart", async _ =>
            (await restarted.Client.GetJsonAsync("/api/v1/notifications?status=delivered"))["count"]!.GetValue<int>() == 1, ct);
        Assert.True(hook.Requests.Count > attemptsBeforeKill);
        Assert.Single(Notifications(hook, "firing").Select(n => n.GetProperty("id").GetString()).Distinct());
    }
}
