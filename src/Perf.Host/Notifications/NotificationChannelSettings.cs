using System.Net;
using MimeKit;
using Perf.Actors.Configuration;

namespace Perf.Host.Notifications;

/// <summary>
/// One channel of <c>perf.notifications.channels</c>, e.g.
/// <code>
/// perf.notifications.channels {
///   ops-hook { type = webhook, url = "https://hooks.example.com/perf" }
///   team     { type = slack, url = "https://hooks.slack.com/services/…" }
///   am       { type = alertmanager, url = "http://alertmanager:9093", generator_url = "https://perf.example.com/" }
///   oncall   { type = email, smtp_host = smtp.example.com, smtp_port = 587, from = "perf@example.com",
///              to = ["oncall@example.com"], username = perf, password = "…", security = starttls }
/// }
/// </code>
/// Every channel may also set <c>timeout</c> (one delivery attempt, default 10s).
/// </summary>
/// <param name="Url">where the HTTP channels post: the webhook, the Slack incoming webhook, the Alertmanager base URL.</param>
/// <param name="GeneratorUrl">Alertmanager only: the link each alert carries back to Perf.</param>
/// <param name="Smtp">email only.</param>
public sealed record NotificationChannelSettings(
    string Name,
    string Type,
    TimeSpan Timeout,
    Uri? Url = null,
    Uri? GeneratorUrl = null,
    SmtpSettings? Smtp = null)
{
    public const string Section = "perf.notifications.channels";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static readonly IReadOnlyList<string> Types = [WebhookChannel.TypeName, SlackChannel.TypeName, EmailChannel.TypeName, AlertmanagerChannel.TypeName];

    private static readonly string[] CommonKeys = ["type", "timeout"];
    private static readonly string[] HttpKeys = [.. CommonKeys, "url"];
    private static readonly string[] AlertmanagerKeys = [.. HttpKeys, "generator_url"];
    private static readonly string[] EmailKeys = [.. CommonKeys, "smtp_host", "smtp_port", "from", "to", "username", "password", "security"];

    /// <summary>The full key of one of this channel's settings, as errors name it.</summary>
    public string Key(string setting) => KeyOf(Name, setting);

    /// <summary>Every channel under <see cref="Section"/>, in name order; none when the section is absent.</summary>
    public static IReadOnlyList<NotificationChannelSettings> ReadAll(ConfigReader config) =>
        config.Children(Section).Order(StringComparer.Ordinal).Select(name => Read(config, name)).ToArray();

    public static NotificationChannelSettings Read(ConfigReader config, string name)
    {
        var type = config.OneOf(KeyOf(name, "type"), [.. Types]);
        var allowed = type switch
        {
            EmailChannel.TypeName => EmailKeys,
            AlertmanagerChannel.TypeName => AlertmanagerKeys,
            _ => HttpKeys,
        };
        // A misspelt optional setting (smtp_prot) would otherwise be ignored without a word.
        foreach (var setting in config.Children($"{Section}.{name}"))
            if (!allowed.Contains(setting))
                throw new PerfConfigurationException(KeyOf(name, setting), $"is not a setting of a {type} channel (those are {string.Join(", ", allowed)})");

        var timeoutKey = KeyOf(name, "timeout");
        var timeout = config.Has(timeoutKey) ? config.Duration(timeoutKey, TimeSpan.FromMilliseconds(1)) : DefaultTimeout;
        return type switch
        {
            EmailChannel.TypeName => new(name, type, timeout, Smtp: ReadSmtp(config, name)),
            AlertmanagerChannel.TypeName => new(name, type, timeout,
                Url: HttpUrl(config, KeyOf(name, "url")),
                GeneratorUrl: config.Has(KeyOf(name, "generator_url")) ? HttpUrl(config, KeyOf(name, "generator_url")) : null),
            _ => new(name, type, timeout, Url: HttpUrl(config, KeyOf(name, "url"))),
        };
    }

    private static SmtpSettings ReadSmtp(ConfigReader config, string name)
    {
        var host = config.String(KeyOf(name, "smtp_host"));
        var securityKey = KeyOf(name, "security");
        // Plain SMTP is fine to a relay on this machine; anywhere else the password and the alerts would cross the network in clear.
        var security = !config.Has(securityKey) ? (IsLoopback(host) ? SmtpSecurity.None : SmtpSecurity.StartTls)
            : config.OneOf(securityKey, "none", "starttls", "tls") switch
            {
                "starttls" => SmtpSecurity.StartTls,
                "tls" => SmtpSecurity.Tls,
                _ => SmtpSecurity.None,
            };
        var portKey = KeyOf(name, "smtp_port");
        var port = config.Has(portKey) ? config.Int(portKey, 1, 65535) : SmtpSettings.DefaultPort(security);

        var from = Address(config.String(KeyOf(name, "from")), KeyOf(name, "from"));
        var toKey = KeyOf(name, "to");
        var to = config.StringList(toKey).Select(recipient => Address(recipient, toKey)).ToArray();
        if (to.Length == 0) throw new PerfConfigurationException(toKey, "needs at least one recipient");

        var usernameKey = KeyOf(name, "username");
        var passwordKey = KeyOf(name, "password");
        var username = config.Has(usernameKey) ? config.String(usernameKey) : null;
        var password = config.Has(passwordKey) ? config.String(passwordKey) : null;
        if (username is null && password is not null) throw new PerfConfigurationException(usernameKey, "is missing: a password needs a username");
        if (username is not null && password is null) throw new PerfConfigurationException(passwordKey, "is missing: a username needs a password");

        return new SmtpSettings(host, port, from, to, security, username, password);
    }

    private static Uri HttpUrl(ConfigReader config, string key)
    {
        var raw = config.String(key);
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new PerfConfigurationException(key, $"'{raw}' is not an http or https URL");
        return url;
    }

    private static string Address(string raw, string key)
    {
        if (!MailboxAddress.TryParse(raw, out var address) || string.IsNullOrEmpty(address.Domain))
            throw new PerfConfigurationException(key, $"'{raw}' is not an email address");
        return raw;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static string KeyOf(string name, string setting) => $"{Section}.{name}.{setting}";
}
