namespace Perf.Host.Tests.Infrastructure;

/// <summary>Starts a server process on a free loopback port and waits until it serves.</summary>
public static class LoopbackServer
{
    private const int Attempts = 3;

    /// <param name="start">starts the server on the given port.</param>
    /// <param name="isReady">whether the server on the given port serves yet.</param>
    /// <param name="port">a port chosen by the caller (no retry on another); default a free one.</param>
    public static async Task<(ChildProcess Process, int Port)> StartAsync(
        string name, Func<int, ChildProcess> start, Func<int, CancellationToken, Task<bool>> isReady, CancellationToken cancellationToken, int? port = null)
    {
        for (var attempt = port is null ? 1 : Attempts; ; attempt++)
        {
            var chosen = port ?? LoopbackPort.Free();
            var process = start(chosen);
            try
            {
                await Poll.UntilAsync($"{name} to serve on port {chosen}", async token =>
                {
                    process.ThrowIfExited(name);
                    return await isReady(chosen, token);
                }, cancellationToken);
                return (process, chosen);
            }
            catch (InvalidOperationException) when (attempt < Attempts)
            {
                // It exited: most likely another process took the free port first. Try another.
                process.Dispose();
            }
            catch
            {
                process.Dispose();
                throw;
            }
        }
    }
}
