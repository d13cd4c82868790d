using System.Text.Json;
using Perf.Actors.Notifications;
using Perf.Host.Notifications;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Host.Tests.Notifications;

public sealed class SlackChannelTests : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendAndReceiveAsync(Notification notification)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await HttpReceiver.StartAsync(ct);
        receiver.AnswerWith(200, "ok"); // what Slack answers
        var channel = new SlackChannel("team", receiver.Url("services/T000/B000/XXXX"), _http, TimeSpan.FromSeconds(10));

        await channel.SendAsync(notification, ct);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/services/T000/B000/XXXX", request.PathAndQuery);
        Assert.StartsWith("application/json", request.ContentType);
        return request.Json();
    }

    [Fact]
    public async Task Posts_the_subject_as_text_and_header_and_a_section_per_alert()
    {
        var notification = Sample.Notification(NotificationKind.Firing,
            Sample.Firing(), Sample.Firing(host: "web-2", value: 91, severity: Actors.Alerts.AlertSeverity.Warning));

        var json = await SendAndReceiveAsync(notification);

        Assert.Equal("[FIRING:2] cpu_usage on web-1, web-2", json.GetProperty("text").GetString());
        var blocks = json.GetProperty("blocks").EnumerateArray().ToArray();
        Assert.Equal(3, blocks.Length);
        Assert.Equal("""{"type":"header","text":{"type":"plain_text","text":"[FIRING:2] cpu_usage on web-1, web-2"}}""", blocks[0].GetRawText());
        Assert.All(blocks[1..], block =>
        {
            Assert.Equal("section", block.GetProperty("type").GetString());
            Assert.Equal("mrkdwn", block.GetProperty("text").GetProperty("type").GetString());
        });
        Assert.Equal($"*cpu_usage* · cpu.usage on web-1: 97.5 (threshold 90), critical, firing since {Sample.T0Iso}",
            blocks[1].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal($"*cpu_usage* · cpu.usage on web-2: 91 (threshold 90), warning, firing since {Sample.T0Iso}",
            blocks[2].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Escapes_what_Slack_would_read_as_links_or_mentions()
    {
        var json = await SendAndReceiveAsync(Sample.Notification(NotificationKind.Resolved, Sample.Firing(host: "a<b>", ruleName: "<!channel> & co")));

        Assert.Equal("[RESOLVED:1] &lt;!channel&gt; &amp; co on a&lt;b&gt;", json.GetProperty("text").GetString());
        Assert.Equal("[RESOLVED:1] <!channel> & co on a<b>", json.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString()); // plain_text
        var section = json.GetProperty("blocks")[1].GetProperty("text").GetProperty("text").GetString();
        Assert.StartsWith("*&lt;!channel&gt; &amp; co* · cpu.usage on a&lt;b&gt;: ", section);
    }

    [Fact]
    public async Task A_large_group_stays_within_Slacks_fifty_blocks()
    {
        var alerts = Enumerable.Range(1, 60).Select(i => Sample.Firing(host: $"web-{i}")).ToArray();

        var json = await SendAndReceiveAsync(Sample.Notification(NotificationKind.Firing, alerts));

        var blocks = json.GetProperty("blocks").EnumerateArray().ToArray();
        Assert.Equal(50, blocks.Length);
        Assert.Equal("[FIRING:60] cpu_usage on 60 hosts", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Contains("web-48:", blocks[48].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("…and 12 more alerts", blocks[49].GetProperty("text").GetProperty("text").GetString());
    }
}
