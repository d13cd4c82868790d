using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Perf.Analytics.Aggregation;
using Perf.Cli.Metrics;

namespace Perf.Cli.Load;

/// <summary>
/// The analyze benchmark's two phases: <see cref="LoadHistoryAsync"/> writes HOURS of one-minute history for HOSTS x
/// METRICS series (<c>bench.m0</c>, ...: a daily cycle, a slow trend and noise), oldest first; <see cref="AnalyzeAsync"/>
/// then times full analyses (every metric of a host over the whole history) one after another.
/// </summary>
public sealed class AnalyzeLoad(HttpClient http, Uri baseUrl, int hosts, int metrics, int hours)
{
    private const int SamplesPerRequest = 500;

    public LatencyHistogram Latency { get; } = new();

    public string Host(int index) => $"analyze-bench-{index}";

    public IEnumerable<string> Metrics => Enumerable.Range(0, metrics).Select(m => $"bench.m{m}");

    public async Task LoadHistoryAsync(Action<double> progress, CancellationToken cancellationToken)
    {
        var end = DateTimeOffset.UtcNow.AddMinutes(-1);
        var start = end.AddHours(-hours);
        var random = new Random(42);
        var minutes = hours * 60;
        var batch = new List<object>(SamplesPerRequest);
        for (var minute = 0; minute <= minutes; minute++)
        {
            var t = start.AddMinutes(minute);
            for (var h = 0; h < hosts; h++)
            {
                var values = new Dictionary<string, double>();
                for (var m = 0; m < metrics; m++)
                    values[$"m{m}"] = Math.Round(50 + 20 * Math.Sin(2 * Math.PI * (minute + 60 * m) / 1440) + minute * 0.001 * m + random.NextDouble() * 5, 2);
                batch.Add(new { host = Host(h), timestamp = t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), metrics = new { bench = values } });
                if (batch.Count == SamplesPerRequest) await SendAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            if (minute % 60 == 0) progress((double)minute / minutes);
        }
        if (batch.Count > 0) await SendAsync(batch, cancellationToken).ConfigureAwait(false);
        progress(1);
    }

    public async Task AnalyzeAsync(int requests, Action<int> progress, CancellationToken cancellationToken)
    {
        for (var i = 0; i < requests; i++)
        {
            var body = JsonSerializer.Serialize(new
            {
                analysis_type = "full",
                host = Host(i % hosts),
                metrics = Metrics.ToArray(),
                time_range = $"{hours}h",
            });
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync(new Uri(baseUrl, "api/v1/performance/analyze"),
                new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            Latency.Record(Stopwatch.GetElapsedTime(started));
            progress(i + 1);
        }
    }

    private async Task SendAsync(List<object> batch, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri(baseUrl, EnginePaths.IngestMetrics),
            new StringContent(JsonSerializer.Serialize(batch), Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        batch.Clear();
    }
}
