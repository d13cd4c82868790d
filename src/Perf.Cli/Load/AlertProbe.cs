using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Perf.Analytics.Aggregation;
using Perf.Cli.Metrics;

namespace Perf.Cli.Load;

/// <summary>
/// Measures alert latency the way a downstream consumer sees it: for each probe, a fresh host gets a CPU sample above the
/// critical level and, a minute of sample time later, a second one (the default <c>cpu_usage</c> rule fires after
/// <c>for</c> = 1m of sample time); the latency runs from sending that second POST to reading the host's firing event
/// on the alert stream (<c>GET /api/v1/alerts/stream</c>, Server-Sent Events), which is read the whole time.
/// </summary>
public sealed class AlertProbe(HttpClient http, Uri baseUrl, string hostPrefix)
{
    private readonly Dictionary<string, TaskCompletionSource<long>> _waiting = [];
    private readonly Lock _gate = new();

    /// <summary>From sending the POST that fires the rule to reading its firing event.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>The part of it until that POST was answered 202 (the points persisted).</summary>
    public LatencyHistogram Acknowledgement { get; } = new();

    /// <summary>Runs <paramref name="probes"/> probes one after another; <paramref name="progress"/> gets the count done.</summary>
    public async Task RunAsync(int probes, Action<int> progress, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadStreamAsync(stop.Token);
        try
        {
            for (var i = 0; i < probes; i++)
            {
                await ProbeAsync($"{hostPrefix}{i}", cancellationToken).ConfigureAwait(false);
                progress(i + 1);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await reading.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    private async Task ProbeAsync(string host, CancellationToken cancellationToken)
    {
        var firing = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _waiting[host] = firing;
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-2);
        await PostAsync(host, t0, cancellationToken).ConfigureAwait(false);
        var sent = Stopwatch.GetTimestamp();
        await PostAsync(host, t0.AddMinutes(1), cancellationToken).ConfigureAwait(false);
        Acknowledgement.Record(Stopwatch.GetElapsedTime(sent));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var received = await firing.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        Latency.Record(Stopwatch.GetElapsedTime(sent, received));
    }

    private async Task PostAsync(string host, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var body = $$"""{"host": "{{host}}", "timestamp": "{{timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}}", "metrics": {"cpu": {"usage": 97} } }""";
        using var response = await http.PostAsync(new Uri(baseUrl, EnginePaths.IngestMetrics), new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken)
            .ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private async Task ReadStreamAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, $"api/v1/alerts/stream?host={Uri.EscapeDataString(hostPrefix)}*"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        // Start from the end of the log as it is now: earlier runs' events are not this run's.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var now = Stopwatch.GetTimestamp();
            using var document = JsonDocument.Parse(line.AsMemory(6));
            var e = document.RootElement;
            if (e.GetProperty("to").GetString() != "firing") continue;
            TaskCompletionSource<long>? waiting;
            lock (_gate) _waiting.Remove(e.GetProperty("host").GetString()!, out waiting);
            waiting?.TrySetResult(now);
        }
    }
}
