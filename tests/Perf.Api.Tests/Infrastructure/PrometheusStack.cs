using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Infrastructure;

/// <summary>
/// Debian's real <c>prometheus-node-exporter</c> and <c>prometheus</c> (installed by test.sh when missing), each on a
/// free loopback port with its own data directory: Prometheus scrapes the exporter every second and remote-writes what
/// it stores to a Perf node, sending the node's admin key.
/// </summary>
public sealed class PrometheusStack : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _output = new();

    public PrometheusStack() => Directory.CreateDirectory(DataDirectory);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "perf-prometheus-tests", Guid.NewGuid().ToString("N"));
    public int ExporterPort { get; private set; }
    public int PrometheusPort { get; private set; }
    public string Instance => $"127.0.0.1:{ExporterPort}";
    public HttpClient Prometheus { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public string Output { get { lock (_output) return _output.ToString(); } }

    public async Task StartAsync(Uri perf, string apiKey, CancellationToken cancellationToken)
    {
        ExporterPort = FreePort();
        Start("prometheus-node-exporter", $"--web.listen-address=127.0.0.1:{ExporterPort}");
        PrometheusPort = FreePort();
        var config = Path.Combine(DataDirectory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $$"""
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: node
                static_configs: [{targets: ['{{Instance}}']}]
            remote_write:
              - url: {{new Uri(perf, "/api/v1/write")}}
                authorization: {credentials: '{{apiKey}}'}
                queue_config: {batch_send_deadline: 1s, min_backoff: 100ms}
            """, cancellationToken);
        Start("prometheus", $"--config.file={config} --web.listen-address=127.0.0.1:{PrometheusPort} --storage.tsdb.path={Path.Combine(DataDirectory, "tsdb")}");
        Prometheus.BaseAddress = new Uri($"http://127.0.0.1:{PrometheusPort}");
        await Poll.UntilAsync("Prometheus to be ready", async token =>
        {
            EnsureRunning();
            try { return (await Prometheus.GetAsync("/-/ready", token)).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, cancellationToken);
    }

    /// <summary>The value Prometheus itself stored for <paramref name="selector"/> at exactly <paramref name="at"/>; null when it has none there.</summary>
    public async Task<double?> ValueAtAsync(string selector, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var time = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        var answer = JsonNode.Parse(await Prometheus.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(selector)}&time={time}", cancellationToken))!;
        var result = answer["data"]!["result"]!.AsArray();
        if (result.Count != 1) return null;
        var sample = result[0]!["value"]!.AsArray();
        // An instant query answers the newest sample at or before the time: it is the one at the time only if stamped so.
        return Math.Abs(sample[0]!.GetValue<double>() - at.ToUnixTimeMilliseconds() / 1000.0) < 0.0005
            ? double.Parse(sample[1]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    private void Start(string program, string arguments)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false },
        };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private void EnsureRunning()
    {
        if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
            throw new InvalidOperationException($"{dead.StartInfo.FileName} exited with {dead.ExitCode}:\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        Prometheus.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
