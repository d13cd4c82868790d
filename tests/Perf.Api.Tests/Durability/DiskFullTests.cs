using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;
using Perf.Host.Tests.Infrastructure;

namespace Perf.Api.Tests.Durability;

/// <summary>
/// A disk that fills up under load: writes are refused (503, safe to send again) while it is full, resume as soon as
/// space returns, and every point acknowledged before, during and after is there after a kill -9 and a restart.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int PointsPerRequest = 50;
    private const int MetricsPerPoint = 20;
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(100);
    // The disk really fills (SQLite's "database or disk is full"), rather than the node refusing writes first
    // (StorageReserveTests).
    private static readonly Dictionary<string, string> NoReserve = new() { ["PERF_PERF__STORAGE__MIN_FREE_SPACE"] = "0" };

    [Fact]
    public async Task Every_acknowledged_point_survives_a_full_disk_and_writes_resume_once_space_returns()
    {
        await using var disk = await SmallDisk.TryMountAsync(64L * 1024 * 1024);
        Assert.True(disk is not null, "this test mounts a small tmpfs, which needs root");
        var dataDir = Path.Combine(disk.Directory, "data");
        var baseTime = DateTimeOffset.UtcNow.AddHours(-6);
        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var unexpected = new ConcurrentBag<string>();
        string? refusal = null;
        int refused = 0, ackedAfterFreeing = 0, freed = 0;

        await using (var node = new PerfNodeProcess(NoReserve, dataDir))
        {
            await node.StartAsync();
            // A few MB left: enough for the first requests, then SQLite's writes fail with "database or disk is full".
            await disk.FillLeavingAsync(6L * 1024 * 1024);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var host = $"full-{w}";
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    // Every request carries fresh timestamps, so a refused one is never stored by a later one.
                    var times = Enumerable.Range(0, PointsPerRequest).Select(i => baseTime + (n * PointsPerRequest + i) * Spacing).ToArray();
                    using var response = await node.Client.PostJsonAsync(Body(host, times));
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        var bag = acknowledged.GetOrAdd(host, _ => []);
                        foreach (var t in times) bag.Add(t.ToUnixTimeMilliseconds());
                        if (Volatile.Read(ref freed) == 1) Interlocked.Increment(ref ackedAfterFreeing);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref refused);
                        Interlocked.CompareExchange(ref refusal, await response.Content.ReadAsStringAsync(), null);
                    }
                    else unexpected.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            })).ToArray();

            await Poll.UntilAsync("writes refused on the full disk", _ => Task.FromResult(Volatile.Read(ref refused) >= 20 || unexpected.Count > 0),
                TestContext.Current.CancellationToken, TimeSpan.FromSeconds(120));
            disk.Free();
            Volatile.Write(ref freed, 1);
            await Poll.UntilAsync("writes acknowledged again once space returned", _ => Task.FromResult(Volatile.Read(ref ackedAfterFreeing) >= 20 || unexpected.Count > 0),
                TestContext.Current.CancellationToken, TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await node.KillAsync();
        }

        Assert.Empty(unexpected);
        Assert.Contains("disk is full", refusal, StringComparison.Ordinal);
        Assert.Contains("Sending the same request again is safe", refusal, StringComparison.Ordinal);
        Assert.Equal(Writers, acknowledged.Count);

        await using var restarted = new PerfNodeProcess(NoReserve, dataDir);
        await restarted.StartAsync();
        var checkedPoints = 0;
        foreach (var (host, bag) in acknowledged)
        foreach (var metric in Enumerable.Range(0, MetricsPerPoint).Select(m => $"m.s{m}"))
        {
            var expected = bag.Order().ToArray();
            var stored = await StoredTimesAsync(restarted.Client, host, metric, expected[0], expected[^1]);
            var missing = expected.Where(t => !stored.Contains(t)).ToArray();
            Assert.True(missing.Length == 0,
                $"{host}/{metric}: {missing.Length} of {expected.Length} acknowledged points missing, first at {missing.FirstOrDefault()}");
            checkedPoints += expected.Length;
        }
        output.WriteLine($"acknowledged {acknowledged.Values.Sum(b => b.Count) * MetricsPerPoint:N0} points, {refused} requests refused while full, " +
                         $"{ackedAfterFreeing} acknowledged after freeing; {checkedPoints:N0} checked after the restart: none missing");
    }

    private static string Body(string host, DateTimeOffset[] times) => new JsonArray(times.Select(t => (JsonNode)new JsonObject
    {
        ["host"] = host,
        ["timestamp"] = NodeApi.Iso(t),
        ["metrics"] = new JsonObject
        {
            ["m"] = new JsonObject(Enumerable.Range(0, MetricsPerPoint).Select(m =>
                KeyValuePair.Create($"s{m}", (JsonNode?)JsonValue.Create(t.ToUnixTimeMilliseconds() % 1000 + m)))),
        },
    }).ToArray()).ToJsonString();

    /// <summary>The series' timestamps from <paramref name="fromMs"/> to <paramref name="toMs"/>, read a quarter of an hour
    /// (9,000 points) at a time: a query may return at most <c>perf.query.max_points</c>.</summary>
    private static async Task<HashSet<long>> StoredTimesAsync(HttpClient client, string host, string metric, long fromMs, long toMs)
    {
        var stored = new HashSet<long>();
        var window = (long)TimeSpan.FromMinutes(15).TotalMilliseconds;
        for (var start = fromMs; start <= toMs; start += window)
        {
            // Windows overlap by their end (whether a query's end is inclusive does not matter then).
            var end = start + window;
            var answer = await client.GetJsonAsync(
                $"/api/v1/series/{host}/{metric}?start={NodeApi.Iso(DateTimeOffset.FromUnixTimeMilliseconds(start))}&end={NodeApi.Iso(DateTimeOffset.FromUnixTimeMilliseconds(end))}");
            foreach (var point in answer["points"]!.AsArray())
                stored.Add(DateTimeOffset.Parse(point!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        }
        return stored;
    }
}
