using System.Text.Json;
using Perf.Actors.Notifications;
using Perf.Host.Notifications;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Host.Tests.Notifications;

public sealed class AlertmanagerChannelTests(AlertmanagerProcess alertmanager) : IClassFixture<AlertmanagerProcess>, IDisposable
{
    private static readonly Uri GeneratorUrl = new("https://perf.example.com/api/v1/alerts");

    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Alertmanager_lists_the_firing_alert_with_our_labels_and_ends_it_on_resolution()
    {
        var ct = TestContext.Current.CancellationToken;
        var channel = new AlertmanagerChannel("am", alertmanager.BaseUrl, _http, TimeSpan.FromSeconds(10), GeneratorUrl);
        // Recent times: Alertmanager lists only alerts that have not ended by now.
        var startMs = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
        var host = $"web-{Guid.NewGuid():N}"[..12];
        var firing = Sample.Firing(host: host, timestampMs: startMs);

        await channel.SendAsync(Sample.Notification(NotificationKind.Firing, firing), ct);

        var alert = await Poll.UntilAsync("Alertmanager to list the alert", token => alertmanager.AlertAsync(firing.AlertId, token), ct);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["alertname"] = "cpu_usage",
                ["host"] = host,
                ["metric"] = "cpu.usage",
                ["severity"] = "critical",
                ["alert_id"] = firing.AlertId,
            },
            alert["labels"].Deserialize<Dictionary<string, string>>());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["summary"] = $"cpu_usage on {host} is firing (critical)",
                ["description"] = $"cpu.usage on {host}: 97.5 (threshold 90), critical, firing since {NotificationText.Time(startMs)}",
                ["value"] = "97.5",
                ["threshold"] = "90",
            },
            alert["annotations"].Deserialize<Dictionary<string, string>>());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(startMs), alert["startsAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(GeneratorUrl.AbsoluteUri, (string?)alert["generatorURL"]);
        Assert.Equal("active", (string?)alert["status"]?["state"]);

        var resolvedMs = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        await channel.SendAsync(Sample.Notification(NotificationKind.Resolved, Sample.Resolved(firing, resolvedMs)), ct);

        // It goes from the list only if the resolution carried the very labels it fired with, and an end in the past.
        await Poll.UntilAsync("Alertmanager to end the alert",
            async token => await alertmanager.AlertAsync(firing.AlertId, token) is null, ct);
    }

    [Theory]
    [InlineData("", "/api/v2/alerts")]
    [InlineData("alertmanager", "/alertmanager/api/v2/alerts")]
    [InlineData("alertmanager/", "/alertmanager/api/v2/alerts")]
    public async Task Posts_one_element_per_alert_to_the_v2_api_under_the_base_url(string basePath, string expectedPath)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        var channel = new AlertmanagerChannel("am", receiver.Url(basePath), _http, TimeSpan.FromSeconds(10));
        var stillFiring = Sample.Firing(host: "web-2");
        var resolved = Sample.Resolved(Sample.Firing(), Sample.T0 + 300_000);

        await channel.SendAsync(Sample.Notification(NotificationKind.Resolved, resolved, stillFiring), ct);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(expectedPath, request.PathAndQuery);
        var alerts = request.Json().EnumerateArray().ToArray();
        Assert.Equal(2, alerts.Length);
        Assert.Equal("2026-01-01T10:05:00Z", alerts[0].GetProperty("startsAt").GetString());
        Assert.Equal("2026-01-01T10:05:00Z", alerts[0].GetProperty("endsAt").GetString());
        Assert.Equal("cpu_usage on web-1 is resolved (critical)", alerts[0].GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal(Sample.T0Iso, alerts[1].GetProperty("startsAt").GetString());
        Assert.False(alerts[1].TryGetProperty("endsAt", out _)); // still firing: no end
        Assert.All(alerts, alert => Assert.False(alert.TryGetProperty("generatorURL", out _))); // none configured
    }
}
