namespace Perf.Cli.Load;

/// <summary>
/// Idle consumers of the alert stream (dashboards, bots): each holds a connection to <c>GET /api/v1/alerts/stream</c>
/// open and reads what comes, so a benchmark can show what connected clients cost the engine.
/// </summary>
public sealed class StreamListeners(HttpClient http, int count)
{
    private long _events;
    private int _connected;
    private int _dropped;

    /// <summary>Events read, over all listeners.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Listeners whose stream the engine ended (or broke) before the run was over.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Listeners whose stream is open.</summary>
    public int Connected => Volatile.Read(ref _connected);

    /// <summary>Connects every listener (returns once all are), then reads until <paramref name="cancellationToken"/> ends.</summary>
    public async Task<Task> ConnectAsync(CancellationToken cancellationToken)
    {
        var streams = new List<StreamReader>(count);
        for (var i = 0; i < count; i++)
        {
            var response = await http.GetAsync("api/v1/alerts/stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            streams.Add(new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false)));
            Interlocked.Increment(ref _connected);
        }
        return Task.WhenAll(streams.Select(stream => ReadAsync(stream, cancellationToken)));
    }

    private async Task ReadAsync(StreamReader stream, CancellationToken cancellationToken)
    {
        using (stream)
        {
            try
            {
                while (await stream.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    if (line.StartsWith("event: alert", StringComparison.Ordinal)) Interlocked.Increment(ref _events);
                Interlocked.Increment(ref _dropped);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref _dropped);
            }
            finally
            {
                Interlocked.Decrement(ref _connected);
            }
        }
    }
}
