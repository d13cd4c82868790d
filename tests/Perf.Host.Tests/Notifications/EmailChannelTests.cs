using System.Net.Sockets;
using Akka.Configuration;
using MimeKit;
using Perf.Actors.Configuration;
using Perf.Actors.Notifications;
using Perf.Host.Notifications;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Host.Tests.Notifications;

public sealed class EmailChannelTests(SmtpSink smtp) : IClassFixture<SmtpSink>
{
    private EmailChannel Channel(params string[] to) =>
        new("oncall", new SmtpSettings(smtp.Host, smtp.Port, "Perf <perf@example.com>", to, SmtpSecurity.None), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Sends_a_text_and_an_html_body_to_every_recipient()
    {
        var ct = TestContext.Current.CancellationToken;
        var notification = Sample.Notification(NotificationKind.Firing,
            Sample.Firing(), Sample.Firing(metric: "cpu.steal", value: 25, threshold: 20, severity: Actors.Alerts.AlertSeverity.Warning));

        await Channel("oncall@example.com", "Ops <ops@example.org>").SendAsync(notification, ct);

        using var message = await smtp.WaitForMessageAsync(EmailChannel.NotificationIdHeader, notification.Id, ct);
        Assert.Equal("[FIRING:2] cpu_usage on web-1", message.Subject);
        Assert.Equal("perf@example.com", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal(["oncall@example.com", "ops@example.org"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("oncall@example.com, ops@example.org", message.Headers["X-RcptTo"]); // the SMTP envelope, as the server saw it
        Assert.Equal($"perf.{notification.Id}@example.com", message.MessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(notification.CreatedMs), message.Date);

        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(part => part.ContentType.MimeType));
        Assert.Contains($"- cpu_usage: cpu.usage on web-1: 97.5 (threshold 90), critical, firing since {Sample.T0Iso}", message.TextBody);
        Assert.Contains($"- cpu_usage: cpu.steal on web-1: 25 (threshold 20), warning, firing since {Sample.T0Iso}", message.TextBody);
        Assert.Contains($"Notification: {notification.Id}, created 2026-01-01T10:01:00Z", message.TextBody);
        Assert.Contains("<h2>[FIRING:2] cpu_usage on web-1</h2>", message.HtmlBody);
        Assert.Contains("<td>cpu_usage</td><td>web-1</td><td>cpu.usage</td><td align=\"right\">97.5</td><td align=\"right\">90</td>"
            + $"<td>critical</td><td>firing since {Sample.T0Iso}</td>", message.HtmlBody);
    }

    [Fact]
    public async Task Html_body_escapes_what_it_shows()
    {
        var ct = TestContext.Current.CancellationToken;
        var notification = Sample.Notification(NotificationKind.Firing, Sample.Firing(host: "<script>x</script>", ruleName: "a & b"));

        await Channel("oncall@example.com").SendAsync(notification, ct);

        using var message = await smtp.WaitForMessageAsync(EmailChannel.NotificationIdHeader, notification.Id, ct);
        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains("<td>a &amp; b</td><td>&lt;script&gt;x&lt;/script&gt;</td>", message.HtmlBody);
        Assert.Contains("- a & b: cpu.usage on <script>x</script>: 97.5", message.TextBody); // plain text needs no escaping
    }

    [Fact]
    public async Task A_channel_from_configuration_sends_in_plain_smtp_to_a_loopback_server()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = new ConfigReader(ConfigurationFactory.ParseString($$"""
            perf.notifications.channels.oncall {
              type = email
              smtp_host = "{{smtp.Host}}"
              smtp_port = {{smtp.Port}}
              from = "perf@example.com"
              to = ["oncall@example.com"]
            }
            """));
        var settings = Assert.Single(NotificationChannelSettings.ReadAll(config));
        Assert.Equal(SmtpSecurity.None, settings.Smtp!.Security);
        using var http = new HttpClient();
        var channel = Assert.Single(NotificationChannels.Create([settings], http));
        var firing = Sample.Firing();
        var notification = Sample.Notification(NotificationKind.Resolved, Sample.Resolved(firing, Sample.T0 + 300_000));

        await channel.SendAsync(notification, ct);

        using var message = await smtp.WaitForMessageAsync(EmailChannel.NotificationIdHeader, notification.Id, ct);
        Assert.Equal("[RESOLVED:1] cpu_usage on web-1", message.Subject);
        Assert.Contains("- cpu_usage: cpu.usage on web-1: 42 (threshold 90), critical, resolved at 2026-01-01T10:05:00Z", message.TextBody);
    }

    [Fact]
    public async Task No_smtp_server_makes_SendAsync_throw()
    {
        var channel = new EmailChannel("oncall",
            new SmtpSettings("127.0.0.1", LoopbackPort.Free(), "perf@example.com", ["oncall@example.com"], SmtpSecurity.None),
            TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<SocketException>(() =>
            channel.SendAsync(Sample.Notification(NotificationKind.Firing, Sample.Firing()), TestContext.Current.CancellationToken));
    }
}
