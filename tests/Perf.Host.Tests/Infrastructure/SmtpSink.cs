using MimeKit;

namespace Perf.Host.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on loopback that keeps every message it accepts: Debian's aiosmtpd with its Mailbox handler,
/// which writes each message into a Maildir (one file per message, moved in whole, so never read half-written).
/// aiosmtpd adds the envelope to each message as <c>X-MailFrom</c> and <c>X-RcptTo</c> headers.
/// </summary>
public sealed class SmtpSink : IAsyncLifetime
{
    private int? _port; // null: a free one

    /// <summary>On <paramref name="port"/>: for a test that first points a channel at a closed port, then opens it.
    /// (A class fixture may have one constructor only, so this is not a second one.)</summary>
    public static SmtpSink On(int port) => new() { _port = port };

    /// <summary>Debian's own python3, the one python3-aiosmtpd installs into (another python3 may come first on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "perf-smtp-" + Guid.NewGuid().ToString("N"));
    private ChildProcess? _server;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    private string Maildir => Path.Combine(_directory, "maildir");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        (_server, Port) = await LoopbackServer.StartAsync(
            "aiosmtpd",
            port => ChildProcess.Start(Python, "-m", "aiosmtpd", "-n", "-l", $"{Host}:{port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir),
            LoopbackPort.AcceptsConnectionsAsync,
            TestContext.Current.CancellationToken,
            _port);
    }

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var delivered = Path.Combine(Maildir, "new");
        if (!Directory.Exists(delivered)) return [];
        return Directory.GetFiles(delivered).Order(StringComparer.Ordinal).Select(file => MimeMessage.Load(file)).ToArray();
    }

    /// <summary>Waits for the message with header <paramref name="header"/> = <paramref name="value"/> (sending returns
    /// when the server has accepted it, which may be a moment before it is on disk).</summary>
    public Task<MimeMessage> WaitForMessageAsync(string header, string value, CancellationToken cancellationToken) =>
        Poll.UntilAsync($"a message with {header}: {value} in {Maildir}",
            _ => Task.FromResult(Messages().FirstOrDefault(m => m.Headers[header] == value)),
            cancellationToken);

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
