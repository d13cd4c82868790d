using System.Net;
using System.Text.Json.Nodes;

namespace Perf.Host.Tests.Infrastructure;

/// <summary>
/// A real Prometheus Alertmanager on loopback, standalone (no cluster), routing everything to a receiver that sends
/// nothing: alerts can be posted and read back through its API.
/// </summary>
public sealed class AlertmanagerProcess : IAsyncLifetime
{
    public const string Program = "/usr/bin/prometheus-alertmanager";

    private const string Config = """
        route:
          receiver: "null"
        receivers:
          - name: "null"
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "perf-alertmanager-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ChildProcess? _server;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var configFile = Path.Combine(_directory, "alertmanager.yml");
        await File.WriteAllTextAsync(configFile, Config, TestContext.Current.CancellationToken);
        (_server, var port) = await LoopbackServer.StartAsync(
            "alertmanager",
            port => ChildProcess.Start(Program,
                $"--config.file={configFile}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=", // standalone: no gossip port to find free as well
                $"--storage.path={Path.Combine(_directory, "data")}"),
            IsReadyAsync,
            TestContext.Current.CancellationToken);
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>The alerts Alertmanager lists (<c>GET /api/v2/alerts</c>): active ones, not those that have ended.</summary>
    public async Task<IReadOnlyList<JsonObject>> AlertsAsync(CancellationToken cancellationToken)
    {
        var json = await _http.GetStringAsync(new Uri(BaseUrl, "api/v2/alerts"), cancellationToken);
        return JsonNode.Parse(json)!.AsArray().Select(alert => alert!.AsObject()).ToArray();
    }

    /// <summary>The listed alert whose label <c>alert_id</c> is <paramref name="alertId"/>, if any.</summary>
    public async Task<JsonObject?> AlertAsync(string alertId, CancellationToken cancellationToken) =>
        (await AlertsAsync(cancellationToken)).FirstOrDefault(alert => (string?)alert["labels"]?["alert_id"] == alertId);

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _http.Dispose();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<bool> IsReadyAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/-/ready"), cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }
}
