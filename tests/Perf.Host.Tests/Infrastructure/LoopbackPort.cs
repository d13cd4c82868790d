using System.Net;
using System.Net.Sockets;

namespace Perf.Host.Tests.Infrastructure;

/// <summary>Ports for servers that cannot be told to pick their own (port 0) and report it.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port free on 127.0.0.1 a moment ago. Another process may take it before the server binds it, so the fixtures
    /// that use this start again on a new port when their server exits early.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
