using System.Diagnostics;

namespace Perf.Actors.Ingestion;

/// <summary>
/// How long one request may take to be written (<c>perf.ingest.write_timeout</c>), which the loss of a cluster member
/// can bring forward: its hosts' appends are then most likely waiting on a member that will not answer, and the sender
/// is better off told to retry (it reaches the hosts' new owner) than kept waiting for the full timeout.
/// </summary>
public sealed class WriteDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly long _endsAt;

    public WriteDeadline(TimeSpan timeout)
    {
        _source = new CancellationTokenSource(timeout);
        _endsAt = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Why the deadline came early; null when it did not.</summary>
    public string? Reason { get; private set; }

    /// <summary>Ends the request within <paramref name="within"/> unless its own deadline comes first.</summary>
    public void BringForward(TimeSpan within, string reason)
    {
        var remaining = TimeSpan.FromSeconds((double)(_endsAt - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
        if (remaining <= within) return;
        Reason = reason;
        try
        {
            _source.CancelAfter(within);
        }
        catch (ObjectDisposedException)
        {
            // The request has just finished.
        }
    }

    /// <summary>Ends the request now.</summary>
    public void End(string reason) => BringForward(TimeSpan.Zero, reason);

    public void Dispose() => _source.Dispose();
}
