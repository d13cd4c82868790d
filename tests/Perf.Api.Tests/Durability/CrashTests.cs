using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Perf.Api.Tests.Infrastructure;

namespace Perf.Api.Tests.Durability;

/// <summary>Acknowledged means persisted: SIGKILL mid-stream loses no acknowledged point and stores none twice.</summary>
public sealed class CrashTests
{
    private const int Hosts = 4;
    private const int MetricsPerHost = 5;
    private const int Writers = 6;

    [Fact]
    public async Task Every_acknowledged_point_survives_a_kill_9_and_none_is_stored_twice()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "perf-crash-tests", Guid.NewGuid().ToString("N"));
        var acknowledged = new ConcurrentDictionary<(string Host, string Metric, long T), double>();
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-30);
        var sequence = 0L;

        await using (var node = new PerfNodeProcess(dataDirectory: dataDir))
        {
            await node.StartAsync();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    // Every request: one point for every series at a fresh timestamp, so a retry or a crash can't reuse it.
                    var n = Interlocked.Increment(ref sequence);
                    var t = baseTime.AddMilliseconds(n * 7);
                    var samples = Enumerable.Range(0, Hosts).Select(h => new JsonObject
                    {
                        ["host"] = $"crash-{h}",
                        ["timestamp"] = NodeApi.Iso(t),
                        ["metrics"] = new JsonObject { ["m"] = new JsonObject(Enumerable.Range(0, MetricsPerHost).Select(m =>
                            KeyValuePair.Create($"s{m}", (JsonNode?)JsonValue.Create(n + m / 10.0)))) },
                    }).ToArray();
                    try
                    {
                        using var response = await node.Client.PostJsonAsync(new JsonArray(samples).ToJsonString());
                        if (response.StatusCode != HttpStatusCode.Accepted) continue;
                        for (var h = 0; h < Hosts; h++)
                        for (var m = 0; m < MetricsPerHost; m++)
                            acknowledged[($"crash-{h}", $"m.s{m}", t.ToUnixTimeMilliseconds())] = n + m / 10.0;
                    }
                    catch (HttpRequestException) { return; } // the node is gone
                    catch (TaskCanceledException) { return; }
                }
            })).ToArray();

            // Let acknowledged points pile up, then kill the node while requests are in flight.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 4000 && DateTime.UtcNow < deadline) await Task.Delay(50);
            await node.KillAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            Assert.True(acknowledged.Count >= 4000, $"only {acknowledged.Count} points acknowledged before the kill");
        }

        await using var restarted = new PerfNodeProcess(dataDirectory: dataDir);
        await restarted.StartAsync();
        for (var h = 0; h < Hosts; h++)
        for (var m = 0; m < MetricsPerHost; m++)
        {
            var host = $"crash-{h}";
            var metric = $"m.s{m}";
            var answer = await restarted.Client.GetJsonAsync($"/api/v1/series/{host}/{metric}?start=0");
            var stored = answer["points"]!.AsArray()
                .Select(p => (T: DateTimeOffset.Parse(p!["timestamp"]!.GetValue<string>()).ToUnixTimeMilliseconds(), V: p["value"]!.GetValue<double>()))
                .ToArray();
            Assert.Equal(stored.Length, stored.Select(p => p.T).Distinct().Count());
            var byTime = stored.ToDictionary(p => p.T, p => p.V);
            foreach (var ((ackHost, ackMetric, t), value) in acknowledged)
            {
                if (ackHost != host || ackMetric != metric) continue;
                Assert.True(byTime.TryGetValue(t, out var v), $"acknowledged point {host}/{metric}@{t} is missing after the crash");
                Assert.Equal(value, v);
            }
        }

        // The hosts' records are Perf.Storage's layout; the other actors' snapshots went through Perf's own serializer, not a
        // JSON fallback.
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "perf.db")};Mode=ReadOnly");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT DISTINCT 'record ' || hex(substr(payload, 1, 1)) FROM host_log WHERE host <> '{Perf.Storage.Hosts.SqliteHostLog.CutMarkerId}' " +
            "UNION SELECT DISTINCT 'serializer ' || identifier FROM journal WHERE persistence_id NOT LIKE '/system/%' " +
            "UNION SELECT DISTINCT 'serializer ' || serializer_id FROM snapshot WHERE persistence_id NOT LIKE '/system/%'";
        var layouts = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) layouts.Add(reader.GetString(0));
        Assert.Equal([$"record {Perf.Storage.Hosts.HostRecordWriter.Version:X2}", $"serializer {Perf.Actors.Serialization.PerfSerializer.Id}"], layouts.Order());
    }
}
