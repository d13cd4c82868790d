using System.Text;
using System.Text.Json;
using Perf.Actors.Notifications;

namespace Perf.Host.Notifications;

/// <summary>
/// Posts to a Slack incoming webhook: the subject as the message text (what a phone notification shows) and as a
/// header block, then a section per alert. Slack answers a malformed message with 400 and a reason (invalid_blocks).
/// </summary>
public sealed class SlackChannel(string name, Uri webhookUrl, HttpClient http, TimeSpan timeout) : INotificationChannel
{
    public const string TypeName = "slack";

    // Slack rejects a whole message that breaks one of its limits (https://api.slack.com/reference/block-kit/blocks),
    // so a large group is cut short here rather than lost.
    private const int MaxBlocks = 50;
    private const int MaxHeaderLength = 150;
    private const int MaxSectionLength = 3000;

    public string Name { get; } = name;

    public string Type => TypeName;

    public Task SendAsync(Notification notification, CancellationToken cancellationToken) =>
        JsonDelivery.PostAsync(http, webhookUrl, Payload(notification), $"slack channel '{Name}'", timeout, cancellationToken);

    private static string Payload(Notification notification)
    {
        var subject = NotificationText.Subject(notification);
        var blocks = new List<object> { new { type = "header", text = new { type = "plain_text", text = Truncate(subject, MaxHeaderLength) } } };
        var alerts = notification.Alerts;
        // The header, one section per alert, and when they do not all fit, a last one saying how many were left out.
        var shown = alerts.Count <= MaxBlocks - 1 ? alerts.Count : MaxBlocks - 2;
        foreach (var alert in alerts.Take(shown))
            blocks.Add(Section($"*{Escape(alert.RuleName)}* · {Escape(NotificationText.AlertLine(alert))}"));
        if (shown < alerts.Count)
            blocks.Add(Section($"…and {alerts.Count - shown} more alerts"));
        return JsonSerializer.Serialize(new { text = Escape(subject), blocks });
    }

    private static object Section(string markdown) =>
        new { type = "section", text = new { type = "mrkdwn", text = Truncate(markdown, MaxSectionLength) } };

    /// <summary>The three characters Slack's mrkdwn reads as control characters (links, mentions).</summary>
    private static string Escape(string text) =>
        new StringBuilder(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").ToString();

    private static string Truncate(string text, int maxLength) => text.Length <= maxLength ? text : text[..(maxLength - 1)] + "…";
}
