using System.Net;
using System.Net.Sockets;

namespace Perf.Cli.Tests.Support;

/// <summary>
/// A tiny HTTP server on a free 127.0.0.1 port (System.Net.HttpListener, no Kestrel) that hands every
/// request to the test's handler. Requests are served concurrently, like a real engine.
/// </summary>
public sealed class FakeEngineServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Func<HttpListenerContext, Task> handler;
    private readonly Task acceptLoop;

    private FakeEngineServer(HttpListener listener, Uri baseUrl, Func<HttpListenerContext, Task> handler)
    {
        this.listener = listener;
        this.handler = handler;
        BaseUrl = baseUrl;
        acceptLoop = Task.Run(AcceptAsync);
    }

    public Uri BaseUrl { get; }

    public static FakeEngineServer Start(Func<HttpListenerContext, Task> handler)
    {
        // A port freed a moment ago can be taken by someone else in between; try a few.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeEngineServer(listener, new Uri($"http://127.0.0.1:{port}/"), handler);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try
        {
            await acceptLoop;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop this way.
        }
    }

    private async Task AcceptAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException
                                                  or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await handler(context);
                }
                catch (Exception)
                {
                    context.Response.StatusCode = 500;
                }
                finally
                {
                    context.Response.Close();
                }
            });
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
