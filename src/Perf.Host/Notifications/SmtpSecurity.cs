namespace Perf.Host.Notifications;

/// <summary>How the SMTP connection is protected (<c>security</c> of an email channel).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text: only for a relay on the same machine or network.</summary>
    None = 0,

    /// <summary>Plain connection upgraded with STARTTLS; refused if the server does not offer it (usually port 587).</summary>
    StartTls = 1,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    Tls = 2,
}
