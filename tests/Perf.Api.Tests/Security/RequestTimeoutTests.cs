using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Security;

/// <summary>perf.security.request_timeout: a request still running past it is cancelled with 504 (here, a client that
/// starts a body and never finishes it, which would otherwise hold the request open), while the alert stream, which is
/// meant to stay open, is exempt.</summary>
public sealed class RequestTimeoutTests
{
    [Fact]
    public async Task A_request_past_the_timeout_gets_504_and_the_alert_stream_stays_open()
    {
        // 5 s: short enough for the test, long enough that an ordinary request (a series' first write on a machine busy
        // with the whole suite) never meets it.
        await using var node = new PerfNodeProcess(new Dictionary<string, string> { ["PERF_PERF__SECURITY__REQUEST_TIMEOUT"] = "5s" });
        await node.StartAsync();
        await using var stream = await SseClient.ConnectAsync(node.Client, "/api/v1/alerts/stream?host=timeout-host");
        // A client that announces a body, sends a few bytes of it and then nothing, on a plain socket as such a client does.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync("127.0.0.1", node.Port, TestContext.Current.CancellationToken);
        var network = socket.GetStream();
        var request = $"POST {NodeApi.MetricsPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: {PerfNodeProcess.AdminKey}\r\n" +
                      "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"host\":";
        await network.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(network);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromSeconds(30));
        var statusLine = await reader.ReadLineAsync(giveUp.Token);

        Assert.Equal("HTTP/1.1 504 Gateway Timeout", statusLine);
        // The stream opened before the stalled request, so it has been open longer than the timeout: it still delivers.
        foreach (var s in new[] { 0, 30, 60 })
        {
            var body = NodeApi.Serialize(new { host = "timeout-host", timestamp = NodeApi.Iso(NodeApi.RecentSecond(5).AddSeconds(s)), metrics = new { cpu = new { usage = 99 } } });
            await (await node.Client.PostJsonAsync(body)).ExpectAcceptedAsync();
        }
        Assert.NotEmpty(await stream.ReadAsync(1, TimeSpan.FromSeconds(30)));
    }
}
