namespace Perf.Host.Tests.Infrastructure;

/// <summary>Starts a server process on a free loopback port and waits until it serves.</summary>
public static class LoopbackServer
{
    private const int Attempts = 3;

    /// <param name="start">starts the server on the given port.</param>
    /// <param name="isReady">whether the server on the given port serves yet.</param>
    public static async Task<(ChildProcess Process, int Port)> StartAsync(
        string name, Func<int, ChildProcess> start, Func<int, CancellationToken, Task<bool>> isReady, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var process = start(port);
            try
            {
                await Poll.UntilAsync($"{name} to serve on port {port}", async token =>
                {
                    process.ThrowIfExited(name);
                    return await isReady(port, token);
                }, cancellationToken);
                return (process, port);
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
