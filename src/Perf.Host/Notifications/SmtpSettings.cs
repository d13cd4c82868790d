using System.Text;

namespace Perf.Host.Notifications;

/// <summary>Where and as whom an <see cref="EmailChannel"/> sends.</summary>
/// <param name="From">the sender, <c>perf@example.com</c> or <c>Perf &lt;perf@example.com&gt;</c>.</param>
/// <param name="To">the recipients, in the same forms; at least one.</param>
/// <param name="Username">to log in with; none = send without authenticating.</param>
public sealed record SmtpSettings(
    string Host,
    int Port,
    string From,
    IReadOnlyList<string> To,
    SmtpSecurity Security,
    string? Username = null,
    string? Password = null)
{
    /// <summary>The usual port of each kind of connection, for when none is configured.</summary>
    public static int DefaultPort(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => 587,
        SmtpSecurity.Tls => 465,
        _ => 25,
    };

    // Settings end up in logs; the password must not.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Host = {Host}, Port = {Port}, From = {From}, To = [{string.Join(", ", To)}], Security = {Security}, ");
        builder.Append($"Username = {Username}, Password = {(Password is null ? "" : "***")}");
        return true;
    }
}
