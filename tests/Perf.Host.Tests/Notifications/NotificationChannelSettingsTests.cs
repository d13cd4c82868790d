using Akka.Configuration;
using Perf.Actors.Configuration;
using Perf.Host.Notifications;

namespace Perf.Host.Tests.Notifications;

public sealed class NotificationChannelSettingsTests
{
    private static IReadOnlyList<NotificationChannelSettings> Read(string hocon) =>
        NotificationChannelSettings.ReadAll(new ConfigReader(ConfigurationFactory.ParseString(hocon)));

    private const string AllFour = """
        perf.notifications.channels {
          hook  { type = webhook, url = "https://hooks.example.com/perf?token=abc" }
          team  { type = slack, url = "https://hooks.slack.com/services/T/B/X", timeout = 3s }
          am    { type = alertmanager, url = "http://alertmanager:9093", generator_url = "https://perf.example.com/" }
          mail  {
            type = email
            smtp_host = smtp.example.com
            smtp_port = 2525
            from = "Perf <perf@example.com>"
            to = ["oncall@example.com", "ops@example.com"]
            username = perf
            password = hunter2
            security = tls
          }
        }
        """;

    [Fact]
    public void Reads_every_channel_in_name_order()
    {
        var channels = Read(AllFour);

        Assert.Equal(["am", "hook", "mail", "team"], channels.Select(c => c.Name));
        Assert.Equal(
            new NotificationChannelSettings("am", "alertmanager", TimeSpan.FromSeconds(10), new Uri("http://alertmanager:9093"), new Uri("https://perf.example.com/")),
            channels[0]);
        Assert.Equal(new NotificationChannelSettings("hook", "webhook", TimeSpan.FromSeconds(10), new Uri("https://hooks.example.com/perf?token=abc")), channels[1]);
        var mail = channels[2];
        Assert.Equal(("email", (Uri?)null), (mail.Type, mail.Url));
        var smtp = mail.Smtp!;
        Assert.Equal(("smtp.example.com", 2525, "Perf <perf@example.com>", SmtpSecurity.Tls, "perf", "hunter2"),
            (smtp.Host, smtp.Port, smtp.From, smtp.Security, smtp.Username, smtp.Password));
        Assert.Equal(["oncall@example.com", "ops@example.com"], smtp.To);
        Assert.Equal(new NotificationChannelSettings("team", "slack", TimeSpan.FromSeconds(3), new Uri("https://hooks.slack.com/services/T/B/X")), channels[3]);
    }

    [Fact]
    public void No_section_means_no_channels() => Assert.Empty(Read("perf.alerts.for = 0s"));

    [Fact]
    public void The_password_stays_out_of_logs()
    {
        var mail = Read(AllFour).Single(c => c.Type == "email");

        Assert.DoesNotContain("hunter2", mail.ToString());
        Assert.Contains("Password = ***", mail.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1", "", SmtpSecurity.None, 25)]
    [InlineData("localhost", "", SmtpSecurity.None, 25)]
    [InlineData("smtp.example.com", "", SmtpSecurity.StartTls, 587)]
    [InlineData("smtp.example.com", "security = none", SmtpSecurity.None, 25)]
    [InlineData("smtp.example.com", "security = tls", SmtpSecurity.Tls, 465)]
    [InlineData("127.0.0.1", "security = starttls", SmtpSecurity.StartTls, 587)]
    public void Email_security_defaults_to_plain_only_on_loopback_and_the_port_follows_it(string host, string security, SmtpSecurity expected, int port)
    {
        var smtp = Read($$"""
            perf.notifications.channels.mail { type = email, smtp_host = "{{host}}", from = "perf@example.com", to = ["a@example.com"], {{security}} }
            """).Single().Smtp!;

        Assert.Equal((expected, port), (smtp.Security, smtp.Port));
    }

    [Theory]
    [InlineData("type = pager, url = \"http://x\"", "type")]
    [InlineData("url = \"http://x\"", "type")]
    [InlineData("type = webhook", "url")]
    [InlineData("type = slack, url = \"ftp://x/y\"", "url")]
    [InlineData("type = webhook, url = hooks.example.com", "url")]
    [InlineData("type = alertmanager, url = \"http://am:9093\", generator_url = \"not a url\"", "generator_url")]
    [InlineData("type = webhook, url = \"http://x\", timeout = soon", "timeout")]
    [InlineData("type = webhook, url = \"http://x\", smtp_host = mail", "smtp_host")]
    [InlineData("type = email, smtp_host = mail, smtp_port = 0, from = \"a@b.c\", to = [\"x@y.z\"]", "smtp_port")]
    [InlineData("type = email, smtp_host = mail, smtp_port = 70000, from = \"a@b.c\", to = [\"x@y.z\"]", "smtp_port")]
    [InlineData("type = email, smtp_host = mail, smtp_port = twenty-five, from = \"a@b.c\", to = [\"x@y.z\"]", "smtp_port")]
    [InlineData("type = email, from = \"a@b.c\", to = [\"x@y.z\"]", "smtp_host")]
    [InlineData("type = email, smtp_host = mail, from = nobody, to = [\"x@y.z\"]", "from")]
    [InlineData("type = email, smtp_host = mail, from = \"a@b.c\"", "to")]
    [InlineData("type = email, smtp_host = mail, from = \"a@b.c\", to = []", "to")]
    [InlineData("type = email, smtp_host = mail, from = \"a@b.c\", to = [\"x@y.z\", \"not an address\"]", "to")]
    [InlineData("type = email, smtp_host = mail, from = \"a@b.c\", to = [\"x@y.z\"], security = ssl", "security")]
    [InlineData("type = email, smtp_host = mail, from = \"a@b.c\", to = [\"x@y.z\"], username = perf", "password")]
    [InlineData("type = email, smtp_host = mail, from = \"a@b.c\", to = [\"x@y.z\"], password = secret", "username")]
    [InlineData("type = email, smtp_host = mail, smtp_prot = 25, from = \"a@b.c\", to = [\"x@y.z\"]", "smtp_prot")]
    public void Invalid_settings_throw_naming_the_key(string channel, string setting)
    {
        var error = Assert.Throws<PerfConfigurationException>(() => Read($"perf.notifications.channels.broken {{ {channel} }}"));

        Assert.Equal($"perf.notifications.channels.broken.{setting}", error.Key);
        Assert.Contains($"'perf.notifications.channels.broken.{setting}'", error.Message);
    }

    [Fact]
    public void The_factory_makes_a_channel_of_each_configured_type()
    {
        using var http = new HttpClient();

        var channels = NotificationChannels.Create(Read(AllFour), http);

        Assert.Equal(
            [("am", "alertmanager", typeof(AlertmanagerChannel)), ("hook", "webhook", typeof(WebhookChannel)),
             ("mail", "email", typeof(EmailChannel)), ("team", "slack", typeof(SlackChannel))],
            channels.Select(c => (c.Name, c.Type, c.GetType())));
    }

    [Theory]
    [InlineData("pager", "type")]
    [InlineData("webhook", "url")]
    [InlineData("email", "smtp_host")]
    public void The_factory_rejects_settings_made_by_hand_that_lack_what_the_type_needs(string type, string setting)
    {
        using var http = new HttpClient();
        var settings = new NotificationChannelSettings("manual", type, TimeSpan.FromSeconds(1));

        var error = Assert.Throws<PerfConfigurationException>(() => NotificationChannels.Create([settings], http));

        Assert.Equal($"perf.notifications.channels.manual.{setting}", error.Key);
    }
}
