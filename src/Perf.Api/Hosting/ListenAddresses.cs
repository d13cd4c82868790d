using System.Net;
using System.Net.Sockets;

namespace Perf.Api.Hosting;

/// <summary>
/// Whether the node's HTTP addresses are free, asked before the node starts: Kestrel finds out only after the engine has
/// opened the data directory (and on a fresh one created and printed its first admin key), and then aborts with a
/// stack trace. A port taken in the moment between this check and Kestrel's bind still fails there (Program catches it).
/// </summary>
public static class ListenAddresses
{
    /// <summary>The first of <paramref name="urls"/> (';'-separated, as --urls takes them) whose port is taken, or null.</summary>
    public static string? FirstInUse(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Endpoint(url) is not { } endpoint) continue;
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return url;
            }
            catch (SocketException)
            {
                // Not ours to judge (an address this machine does not have, a privileged port): Kestrel says why.
            }
        }
        return null;
    }

    /// <summary>The address and port of a URL as Kestrel reads it; null for port 0 (any free port) or what it is not.</summary>
    private static IPEndPoint? Endpoint(string url)
    {
        var address = BindingAddress.Parse(url);
        if (address.IsUnixPipe || address.Port == 0) return null;
        var ip = address.Host switch
        {
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(address.Host.Trim('[', ']'), out var parsed) => parsed,
            _ => IPAddress.Any, // "*", "+", a host name: Kestrel listens on every address
        };
        return new IPEndPoint(ip, address.Port);
    }
}
