using System.Text.Json;
using Perf.Actors.Notifications;
using Perf.Host.Notifications;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Host.Tests.Notifications;

public sealed class WebhookChannelTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Posts_the_notification_as_versioned_json()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        var channel = new WebhookChannel("ops", receiver.Url("hooks/perf?token=abc"), _http, TimeSpan.FromSeconds(10));
        var notification = Sample.Notification(NotificationKind.Firing,
            Sample.Firing(),
            Sample.Firing(metric: "cpu.steal", value: double.NaN, threshold: 20, severity: Actors.Alerts.AlertSeverity.Warning, timestampMs: Sample.T0 + 1_250));

        await channel.SendAsync(notification, ct);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/perf?token=abc", request.PathAndQuery);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        var json = request.Json();
        Assert.Equal("1", json.GetProperty("version").GetString());
        Assert.Equal(notification.Id, json.GetProperty("id").GetString());
        Assert.Equal("host=web-1,rule=cpu_usage", json.GetProperty("group_key").GetString());
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("2026-01-01T10:01:00Z", json.GetProperty("created_at").GetString());
        var alerts = json.GetProperty("alerts").EnumerateArray().ToArray();
        Assert.Equal(2, alerts.Length);
        Assert.Equal(
            """{"alert_id":"cpu_usage/web-1/cpu.usage/1767261600000","rule":"cpu_usage","rule_name":"cpu_usage","host":"web-1","metric":"cpu.usage","state":"firing","severity":"critical","value":97.5,"threshold":90,"timestamp":"2026-01-01T10:00:00Z"}""",
            alerts[0].GetRawText());
        Assert.Equal(JsonValueKind.Null, alerts[1].GetProperty("value").ValueKind); // JSON has no NaN
        Assert.Equal("warning", alerts[1].GetProperty("severity").GetString());
        Assert.Equal("2026-01-01T10:00:01.250Z", alerts[1].GetProperty("timestamp").GetString());
    }

    [Theory]
    [InlineData(NotificationKind.Firing, "firing")]
    [InlineData(NotificationKind.Resolved, "resolved")]
    [InlineData(NotificationKind.Flapping, "flapping")]
    public async Task Status_is_the_notification_kind(NotificationKind kind, string status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        var channel = new WebhookChannel("ops", receiver.Url("hook"), _http, TimeSpan.FromSeconds(10));

        await channel.SendAsync(Sample.Notification(kind, Sample.Firing()), ct);

        Assert.Equal(status, Assert.Single(receiver.Requests).Json().GetProperty("status").GetString());
    }
}
