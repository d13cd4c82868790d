using System.Diagnostics;
using System.Net;
using System.Text;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Cluster;

/// <summary>
/// A client that ingests continuously as a careful agent does: each request carries one point of every series
/// (<see cref="Hosts"/> x <see cref="Metrics"/>) at the next timestamp; an answer of 429/503 is retried after Retry-After,
/// any other failure is retried at once (the client cannot know whether it was stored). Records which timestamps
/// were acknowledged (202), every answer that was not, and the longest stretch without an acknowledgement.
/// </summary>
public sealed class ClusterLoad(IReadOnlyList<HttpClient> clients, int hosts = 100, int metrics = 10, string hostPrefix = "load")
{
    private const int StepMs = 500;
    private readonly List<long> _acknowledged = [];
    private readonly List<string> _otherAnswers = [];
    private int _retriesTold;

    public int Hosts => hosts;
    public int Metrics => metrics;
    public long StartMs { get; } = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() / 1000 * 1000;

    public IReadOnlyList<long> Acknowledged { get { lock (_acknowledged) return [.. _acknowledged]; } }
    public IReadOnlyList<string> OtherAnswers { get { lock (_otherAnswers) return [.. _otherAnswers]; } }
    public int RetriesTold => _retriesTold;
    public TimeSpan LongestGap { get; private set; }

    /// <summary>The longest any one request waited for its answer, whatever the answer.</summary>
    public TimeSpan LongestWait { get; private set; }

    public string Host(int h) => $"{hostPrefix}-{h:D3}";
    public static string Metric(int m) => $"load.m{m}";

    /// <summary>Runs until <paramref name="stop"/> is cancelled; every request is answered before it returns.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var sinceAcknowledged = Stopwatch.StartNew();
        for (var k = 0; !stop.IsCancellationRequested; k++)
        {
            var timestamp = StartMs + k * StepMs;
            var body = Body(timestamp);
            while (true)
            {
                var client = clients[k % clients.Count];
                var sent = Stopwatch.StartNew();
                try
                {
                    using var response = await client.PostAsync(NodeApi.MetricsPath, new StringContent(body, Encoding.UTF8, "application/json"));
                    if (sent.Elapsed > LongestWait) LongestWait = sent.Elapsed;
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        lock (_acknowledged) _acknowledged.Add(timestamp);
                        if (sinceAcknowledged.Elapsed > LongestGap) LongestGap = sinceAcknowledged.Elapsed;
                        sinceAcknowledged.Restart();
                        break;
                    }
                    if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref _retriesTold);
                        var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                        await Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromMilliseconds(250), CancellationToken.None);
                        continue;
                    }
                    var answer = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                    lock (_otherAnswers) _otherAnswers.Add(answer);
                }
                catch (HttpRequestException e)
                {
                    lock (_otherAnswers) _otherAnswers.Add($"no answer: {e.Message}");
                }
                catch (TaskCanceledException e)
                {
                    lock (_otherAnswers) _otherAnswers.Add($"timed out: {e.Message}");
                }
            }
        }
    }

    private string Body(long timestamp)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var text = new StringBuilder("[");
        for (var h = 0; h < hosts; h++)
        {
            if (h > 0) text.Append(',');
            text.Append("{\"host\":\"").Append(Host(h)).Append("\",\"timestamp\":\"").Append(time).Append("\",\"metrics\":{\"load\":{");
            for (var m = 0; m < metrics; m++)
            {
                if (m > 0) text.Append(',');
                text.Append("\"m").Append(m).Append("\":").Append((h * 7 + m * 3 + timestamp / StepMs % 50) % 100);
            }
            text.Append("}}}");
        }
        return text.Append(']').ToString();
    }

    /// <summary>Checks every series through <paramref name="reader"/>: every acknowledged timestamp is there, none twice.
    /// Returns the problems found (empty when none).</summary>
    public async Task<List<string>> VerifyAsync(HttpClient reader)
    {
        var acknowledged = Acknowledged;
        var end = acknowledged.Count == 0 ? StartMs : acknowledged.Max() + 1000;
        var problems = new List<string>();
        for (var h = 0; h < hosts; h++)
            for (var m = 0; m < metrics; m++)
            {
                var path = $"/api/v1/series/{Host(h)}/{Metric(m)}?start={NodeApi.Iso(DateTimeOffset.FromUnixTimeMilliseconds(StartMs))}" +
                           $"&end={NodeApi.Iso(DateTimeOffset.FromUnixTimeMilliseconds(end))}";
                var points = (await reader.GetJsonAsync(path))["points"]!.AsArray()
                    .Select(p => DateTimeOffset.Parse(p!["timestamp"]!.GetValue<string>()).ToUnixTimeMilliseconds()).ToArray();
                var stored = points.ToHashSet();
                if (stored.Count != points.Length) problems.Add($"{Host(h)}/{Metric(m)}: {points.Length - stored.Count} points twice");
                var missing = acknowledged.Where(t => !stored.Contains(t)).ToArray();
                if (missing.Length > 0) problems.Add($"{Host(h)}/{Metric(m)}: {missing.Length} acknowledged points missing, first {missing[0]}");
            }
        return problems;
    }
}
