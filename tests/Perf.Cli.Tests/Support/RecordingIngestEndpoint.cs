using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Perf.Cli.Tests.Support;

/// <summary>
/// Plays the engine's ingest endpoint: records every sample per series in arrival order and answers
/// 202 <c>{"accepted":N}</c>, except that the first <paramref name="throttledRequests"/> requests get
/// 429 with <c>Retry-After: 0</c> and store nothing (as the engine does under backpressure).
/// </summary>
public sealed class RecordingIngestEndpoint(int throttledRequests)
{
    private readonly ConcurrentDictionary<string, List<long>> timestampsBySeries = new();
    private int requestsSeen;
    private int throttledSoFar;

    public int RequestsSeen => Volatile.Read(ref requestsSeen);

    public int ThrottledRequests => Volatile.Read(ref throttledSoFar);

    public string? LastApiKey { get; private set; }

    public IReadOnlyDictionary<string, List<long>> TimestampsBySeries => timestampsBySeries;

    public long SamplesStored => timestampsBySeries.Values.Sum(timestamps => timestamps.Count);

    public async Task HandleAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref requestsSeen);
        LastApiKey = context.Request.Headers["X-API-Key"];
        if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/api/v1/performance/metrics")
        {
            context.Response.StatusCode = 404;
            return;
        }

        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();

        if (Interlocked.Increment(ref throttledSoFar) <= throttledRequests)
        {
            context.Response.StatusCode = 429;
            context.Response.AddHeader("Retry-After", "0");
            return;
        }

        Interlocked.Decrement(ref throttledSoFar);
        var accepted = Store(body);
        context.Response.StatusCode = 202;
        context.Response.ContentType = "application/json";
        var answer = Encoding.UTF8.GetBytes($$"""{"accepted":{{accepted}},"rejected":0}""");
        await context.Response.OutputStream.WriteAsync(answer);
    }

    private int Store(string body)
    {
        using var document = JsonDocument.Parse(body);
        var accepted = 0;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var host = item.GetProperty("host").GetString()!;
            var timestamp = DateTimeOffset.Parse(item.GetProperty("timestamp").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            foreach (var group in item.GetProperty("metrics").EnumerateObject())
            {
                foreach (var field in group.Value.EnumerateObject())
                {
                    // Throws (and so fails the request) unless every leaf is a JSON number, as the engine requires.
                    _ = field.Value.GetDouble();
                    var timestamps = timestampsBySeries.GetOrAdd($"{host}/{group.Name}.{field.Name}", _ => []);
                    lock (timestamps)
                    {
                        timestamps.Add(timestamp);
                    }

                    accepted++;
                }
            }
        }

        return accepted;
    }
}
