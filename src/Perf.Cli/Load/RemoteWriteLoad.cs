using Perf.Analytics.Aggregation;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Perf.Cli.Metrics;
using Perf.Protocols.Prometheus;
using Perf.Protocols.Prometheus.Wire;

namespace Perf.Cli.Load;

/// <summary>
/// A Prometheus remote-write load: <c>Series</c> series (<c>bench_metric_N{instance="bench-H"}</c>, spread over
/// <c>Hosts</c> instances), each sampled once per round, a round every <c>Series / Rate</c> seconds, so the whole load is
/// <c>Rate</c> samples per second. Every request of the run is encoded (protobuf + snappy) before the clock starts, with
/// the timestamps the samples will have when sent on time, so the generator spends its time sending, not encoding.
/// Requests go out on schedule from <c>Concurrency</c> connections; a request answered late delays only its connection.
/// Each block of series always goes through the same connection, one request after another, so a series' samples reach
/// the receiver in time order (Prometheus refuses an out-of-order sample; a real Prometheus sends each series through
/// one shard queue for the same reason).
/// </summary>
public sealed class RemoteWriteLoad(HttpClient http, string path, int series, int hosts, double rate, TimeSpan duration, int concurrency, int seriesPerRequest)
{
    /// <param name="Planned">requests of the run; fewer are sent when the receiver falls so far behind that the run is cut off.</param>
    public sealed record Result(double TargetRate, double AchievedRate, long Samples, long Requests, long Planned, long Errors, string? FirstError,
        double P50Ms, double P99Ms, double? CpuSeconds, long? RssBytes, TimeSpan Elapsed)
    {
        /// <summary>Kept up: every request sent and answered 2xx, at 97% of the target rate or more.</summary>
        public bool KeptUp => Errors == 0 && Requests == Planned && AchievedRate >= 0.97 * TargetRate;
    }

    public IReadOnlyList<(byte[] Body, int Samples, TimeSpan Due, int Block)> Encode(long startMs)
    {
        var roundSeconds = series / rate;
        var rounds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds / roundSeconds));
        var requests = new List<(byte[], int, TimeSpan, int)>();
        var requestSeconds = seriesPerRequest / rate;
        var index = 0;
        for (var round = 0; round < rounds; round++)
        {
            var timestamp = startMs + (long)(round * roundSeconds * 1000);
            for (var first = 0; first < series; first += seriesPerRequest)
            {
                var request = new WriteRequest();
                for (var s = first; s < Math.Min(series, first + seriesPerRequest); s++)
                {
                    var ts = new TimeSeries();
                    ts.Labels.Add(RemoteWriteCodec.Label("__name__", "bench_metric_" + (s / hosts).ToString(CultureInfo.InvariantCulture)));
                    ts.Labels.Add(RemoteWriteCodec.Label("instance", "bench-" + (s % hosts).ToString("D4", CultureInfo.InvariantCulture)));
                    ts.Labels.Add(RemoteWriteCodec.Label("job", "bench"));
                    // A slow wave plus noise: something the detectors look at like real data.
                    var value = 50 + 20 * Math.Sin((round + s) / 30.0) + (s * 7919 + round * 104729) % 100 / 50.0;
                    ts.Samples.Add(new Sample { Timestamp = timestamp, Value = Math.Round(value, 2) });
                    request.Timeseries.Add(ts);
                }
                requests.Add((RemoteWriteCodec.Encode(request), request.Timeseries.Count, TimeSpan.FromSeconds(index++ * requestSeconds), first / seriesPerRequest));
            }
        }
        return requests;
    }

    public async Task<Result> RunAsync(IReadOnlyList<(byte[] Body, int Samples, TimeSpan Due, int Block)> requests, int? receiverPid, CancellationToken cancellationToken)
    {
        var latency = new LatencyHistogram();
        long samples = 0, errors = 0, done = 0;
        string? firstError = null;
        var cpuBefore = receiverPid is { } pid ? ProcessStatusReader.ReadCpuSeconds(pid) : null;
        var clock = Stopwatch.StartNew();

        async Task WorkerAsync(int worker)
        {
            foreach (var (body, count, due, _) in requests.Where(r => r.Block % concurrency == worker))
            {
                // A receiver far behind would make the run last for ever: past 1.5 times its length, no more requests go out.
                if (clock.Elapsed > duration * 1.5) return;
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                var sent = clock.Elapsed;
                try
                {
                    using var response = await http.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
                    latency.Record(clock.Elapsed - sent);
                    if (response.IsSuccessStatusCode) Interlocked.Add(ref samples, count);
                    else
                    {
                        Interlocked.Increment(ref errors);
                        var text = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}";
                        Interlocked.CompareExchange(ref firstError, text.Length > 300 ? text[..300] : text, null);
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
                Interlocked.Increment(ref done);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => WorkerAsync(w), cancellationToken))).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var cpuAfter = receiverPid is { } p ? ProcessStatusReader.ReadCpuSeconds(p) : null;
        return new Result(rate, samples / elapsed.TotalSeconds, samples, done, requests.Count, errors, firstError,
            latency.PercentileMilliseconds(50), latency.PercentileMilliseconds(99),
            cpuAfter - cpuBefore, receiverPid is { } r ? ProcessStatusReader.ReadResidentBytes(r) : null, elapsed);
    }
}
