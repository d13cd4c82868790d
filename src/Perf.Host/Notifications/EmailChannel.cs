using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Perf.Actors.Notifications;

namespace Perf.Host.Notifications;

/// <summary>
/// Sends each notification as an email over SMTP: the subject line of <see cref="NotificationText.Subject"/>, a text
/// and an HTML body (multipart/alternative), and the notification id in <c>X-Perf-Notification-Id</c> and in the
/// Message-Id, so that a resend of the same notification is recognisably the same message.
/// </summary>
public sealed class EmailChannel : INotificationChannel
{
    public const string TypeName = "email";

    public const string NotificationIdHeader = "X-Perf-Notification-Id";

    private readonly SmtpSettings _smtp;
    private readonly MailboxAddress _from;
    private readonly MailboxAddress[] _to;
    private readonly TimeSpan _timeout;

    /// <exception cref="ParseException">From or a recipient is not an email address.</exception>
    public EmailChannel(string name, SmtpSettings smtp, TimeSpan timeout)
    {
        if (smtp.To.Count == 0) throw new ArgumentException("an email channel needs at least one recipient", nameof(smtp));
        Name = name;
        _smtp = smtp;
        _from = MailboxAddress.Parse(smtp.From);
        _to = smtp.To.Select(MailboxAddress.Parse).ToArray();
        _timeout = timeout;
    }

    public string Name { get; }

    public string Type => TypeName;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var message = Message(notification);
        await ChannelDeadline.RunAsync($"email channel '{Name}' ({_smtp.Host}:{_smtp.Port})", _timeout, cancellationToken, async deadline =>
        {
            // A connection per notification: notifications are rare, and a held connection would be dropped by the server.
            using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _timeout.TotalMilliseconds) };
            await client.ConnectAsync(_smtp.Host, _smtp.Port, SocketOptions(_smtp.Security), deadline).ConfigureAwait(false);
            if (_smtp.Username is { } username)
                await client.AuthenticateAsync(username, _smtp.Password ?? "", deadline).ConfigureAwait(false);
            await client.SendAsync(message, deadline).ConfigureAwait(false);
            try
            {
                await client.DisconnectAsync(quit: true, deadline).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ProtocolException or CommandException or OperationCanceledException)
            {
                // The server has accepted the message: failing to say goodbye must not make the dispatcher send it again.
            }
        }).ConfigureAwait(false);
    }

    private MimeMessage Message(Notification notification)
    {
        var subject = NotificationText.Subject(notification);
        var message = new MimeMessage
        {
            Subject = subject,
            Date = DateTimeOffset.FromUnixTimeMilliseconds(notification.CreatedMs),
            MessageId = $"{MessageIdPart(notification.Id)}@{(string.IsNullOrEmpty(_from.Domain) ? "perf" : _from.Domain)}",
            Body = new BodyBuilder { TextBody = TextBody(notification, subject), HtmlBody = HtmlBody(notification, subject) }.ToMessageBody(),
        };
        message.From.Add(_from);
        message.To.AddRange(_to);
        message.Headers.Add(NotificationIdHeader, notification.Id);
        return message;
    }

    private static string TextBody(Notification notification, string subject)
    {
        var text = new StringBuilder().AppendLine(subject).AppendLine();
        foreach (var alert in notification.Alerts)
            text.AppendLine($"- {alert.RuleName}: {NotificationText.AlertLine(alert)}");
        return text.AppendLine()
            .AppendLine($"Group: {notification.GroupKey}")
            .AppendLine($"Notification: {notification.Id}, created {NotificationText.Time(notification.CreatedMs)}")
            .ToString();
    }

    private static string HtmlBody(Notification notification, string subject)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append($"<h2>{E(subject)}</h2>")
            .Append("<table cellpadding=\"4\" style=\"border-collapse:collapse\"><tr>")
            .Append("<th align=\"left\">Rule</th><th align=\"left\">Host</th><th align=\"left\">Metric</th>")
            .Append("<th align=\"right\">Value</th><th align=\"right\">Threshold</th><th align=\"left\">Severity</th><th align=\"left\">State</th></tr>");
        foreach (var alert in notification.Alerts)
            html.Append("<tr>")
                .Append($"<td>{E(alert.RuleName)}</td><td>{E(alert.Host)}</td><td>{E(alert.Metric)}</td>")
                .Append($"<td align=\"right\">{E(NotificationText.Number(alert.Value))}</td><td align=\"right\">{E(NotificationText.Number(alert.Threshold))}</td>")
                .Append($"<td>{E(NotificationText.Name(alert.Severity))}</td><td>{E(NotificationText.Since(alert))}</td>")
                .Append("</tr>");
        return html.Append("</table>")
            .Append($"<p style=\"color:#666\">Group {E(notification.GroupKey)} · notification {E(notification.Id)}, created {E(NotificationText.Time(notification.CreatedMs))}</p>")
            .Append("</body></html>")
            .ToString();
    }

    /// <summary>The id as the left part of a Message-Id, which allows fewer characters than an id may hold.</summary>
    private static string MessageIdPart(string notificationId)
    {
        var part = new StringBuilder(notificationId.Length);
        foreach (var c in notificationId) part.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '.');
        var dotted = part.ToString().Trim('.');
        while (dotted.Contains("..", StringComparison.Ordinal)) dotted = dotted.Replace("..", ".", StringComparison.Ordinal);
        return dotted.Length == 0 ? "perf" : "perf." + dotted;
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };
}
