using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Akka.Actor;
using Perf.Actors.Ingestion;
using static Perf.Actors.Series.SeriesCommands;

namespace Perf.Bench.Memory;

/// <summary>Options of one measurement process, from <c>key=value</c> arguments.</summary>
public sealed record ChildOptions
{
    /// <summary>
    /// plain (PlainActor via ActorOf), sharded (PlainActor as an entity of the "bench" region), persistent (BarePersistentActor
    /// in the "bench" region), series (the real SeriesActor in the node's "series" region).
    /// </summary>
    public string Kind { get; init; } = "series";
    public int Count { get; init; } = 20_000;
    public int Warmup { get; init; } = 2_000;
    /// <summary>Append rounds after creation; each round sends one message to each of the first <see cref="RoundSeries"/> entities.</summary>
    public int Rounds { get; init; }
    public int RoundSeries { get; init; }
    /// <summary>
    /// Comma-separated append phases, run in order on the same entities, <see cref="Rounds"/> rounds each: tell (Tell from
    /// one reply-counting actor, as IngestionPipeline sends appends from its one collector), pipeline (IngestionPipeline.SubmitAsync),
    /// snapshot (kind=persistent only: save a 1 KB snapshot, then delete the journal below it, as SeriesActor does).
    /// </summary>
    public string Mode { get; init; } = "tell";
    public bool Dump { get; init; }
    public string Hocon { get; init; } = "";
    public int InFlight { get; init; } = 4_000;
    public int StepMs { get; init; } = 10_000;
    /// <summary>Journal of the persistent kind: series (SeriesJournal), null, serialize (see BenchJournals).</summary>
    public string Journal { get; init; } = "series";
    /// <summary>Sample allocations by type during the append phases (GCAllocationTick).</summary>
    public bool AllocProfile { get; init; }
    public Dictionary<string, string> Perf { get; init; } = [];

    public static ChildOptions Parse(IEnumerable<string> args)
    {
        var o = new ChildOptions();
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=');
            if (eq < 0) throw new ArgumentException("expected key=value: " + arg);
            var (k, v) = (arg[..eq], arg[(eq + 1)..]);
            o = k switch
            {
                "kind" => o with { Kind = v is "plain" or "sharded" or "persistent" or "series" ? v : throw new ArgumentException("unknown kind " + v) },
                "count" => o with { Count = int.Parse(v) },
                "warmup" => o with { Warmup = int.Parse(v) },
                "rounds" => o with { Rounds = int.Parse(v) },
                "round-series" => o with { RoundSeries = int.Parse(v) },
                "mode" => o with { Mode = v },
                "dump" => o with { Dump = bool.Parse(v) },
                "hocon" => o with { Hocon = v },
                "inflight" => o with { InFlight = int.Parse(v) },
                "step-ms" => o with { StepMs = int.Parse(v) },
                "journal" => o with { Journal = v },
                "alloc-profile" => o with { AllocProfile = bool.Parse(v) },
                _ when k.StartsWith("PERF_", StringComparison.Ordinal) => o with { Perf = new(o.Perf) { [k] = v } },
                _ => throw new ArgumentException("unknown option " + k),
            };
        }
        return o;
    }
}

public sealed record AppendStats(
    long Messages, long Points, double Seconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2, double PauseMs,
    long RssAfter, long PeakRss, long HeapAfter, long CommittedAfter, MemorySample AfterFullGc,
    List<TypeDelta>? AllocatedByType = null);

public sealed record ChildResult(
    string Kind, int Count, bool ServerGc, string GcConfig, string DequeMailbox, double CreateSeconds, MemorySample Before, MemorySample AfterNoGc, MemorySample After,
    long CreateAllocatedBytes, Dictionary<string, AppendStats> Appends, List<TypeDelta>? Types);

public sealed record TypeDelta(string Type, long Bytes, long Count);

public static class Child
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMinutes(3);

    public static string EntityId(string prefix, int i) => $"{prefix}-{i / 10:D4}/bench.m{i % 10}";

    public static async Task<int> RunAsync(ChildOptions o)
    {
        var perf = new Dictionary<string, string>
        {
            // Measurement runs last a few minutes: no entity may passivate under us (the real default is 2m).
            ["PERF_PERF__SERIES__PASSIVATE_AFTER"] = "30m",
        };
        foreach (var (k, v) in o.Perf) perf[k] = v;
        BarePersistentActor.JournalId = o.Journal switch
        {
            "null" => NullJournal.PluginId,
            "serialize" => SerializeOnlyJournal.PluginId,
            _ => Perf.Actors.Storage.SeriesJournal.PluginId,
        };
        Func<string, Props>? probe = o.Kind switch
        {
            "sharded" => PlainActor.Props,
            "persistent" => BarePersistentActor.Props,
            _ => null,
        };
        await using var node = await BenchNode.StartAsync(probe, o.Hocon, perf);
        var system = node.System;
        var counter = new Counter();
        var replies = system.ActorOf(Props.Create(() => new ReplyCounter(counter)), "bench-replies");
        var t0 = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds() / 1000 * 1000;

        var plainRefs = o.Kind == "plain" ? new IActorRef[o.Count + o.Warmup] : null;
        IActorRef Target(int i) => o.Kind switch
        {
            "series" => node.Series,
            _ when plainRefs is not null => plainRefs[i] ??= system.ActorOf(PlainActor.Props(Name(i)), Uri.EscapeDataString(Name(i))),
            _ => node.Bench,
        };
        string Name(int i) => i < o.Warmup ? EntityId("warm", i) : EntityId("bench", i - o.Warmup);
        var snapshots = false;
        object Message(int i, long t) => o.Kind == "series"
            ? new AppendPoints(Name(i), [t], [Math.Round(Math.Sin(i + t / 60_000.0) * 100, 2)])
            : snapshots ? new Snap(Name(i)) : new Ping(Name(i), t);

        // InFlight messages at a time, all sent with Tell from the one reply counter (as IngestionPipeline sends appends
        // from its one collector; no Ask per message).
        async Task SendAsync(int from, int to, long t)
        {
            for (var start = from; start < to; start += o.InFlight)
            {
                var end = Math.Min(to, start + o.InFlight);
                var done = counter.WaitFor(counter.Count + (end - start));
                for (var i = start; i < end; i++) Target(i).Tell(Message(i, t), replies);
                await done.WaitAsync(ReplyTimeout);
            }
        }

        // Warm-up: starts every shard, JITs every path, creates the journal's and snapshot store's connections.
        await SendAsync(0, o.Warmup, t0);
        await SendAsync(0, o.Warmup, t0 + o.StepMs);
        await Task.Delay(1000);
        var before = MemorySample.AfterFullGc();
        var dumpBefore = o.Dump ? GcDump.Take(Path.Combine(node.DataDir, "before.gcdump")) : null;
        if (o.Dump) before = MemorySample.AfterFullGc();

        var allocated = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        await SendAsync(o.Warmup, o.Warmup + o.Count, t0);
        var createSeconds = sw.Elapsed.TotalSeconds;
        var createAllocated = GC.GetTotalAllocatedBytes(true) - allocated;
        await Task.Delay(2000);
        var afterNoGc = MemorySample.Now();
        var after = MemorySample.AfterFullGc();
        List<TypeDelta>? types = null;
        if (o.Dump && dumpBefore is not null && GcDump.Take(Path.Combine(node.DataDir, "after.gcdump")) is { } dumpAfter)
        {
            types = dumpAfter.Keys.Union(dumpBefore.Keys)
                .Select(t =>
                {
                    var a = dumpAfter.GetValueOrDefault(t);
                    var b = dumpBefore.GetValueOrDefault(t);
                    return new TypeDelta(t, a.Bytes - b.Bytes, a.Count - b.Count);
                })
                .Where(d => Math.Abs(d.Bytes) >= o.Count / 4)
                .OrderByDescending(d => d.Bytes).ToList();
            after = MemorySample.AfterFullGc();
        }

        var appends = new Dictionary<string, AppendStats>();
        var round = 2;
        foreach (var mode in o.Mode.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (o.Rounds <= 0) break;
            var series = o.RoundSeries > 0 ? Math.Min(o.RoundSeries, o.Count) : o.Count;
            if (mode == "pipeline") await PipelineRoundAsync(node, series, t0 + (long)round++ * o.StepMs); // host actors register the series
            var rssPeak = 0L;
            using var sampler = new Timer(_ => { var r = MemorySample.ReadRss().Rss; if (r > Interlocked.Read(ref rssPeak)) Interlocked.Exchange(ref rssPeak, r); }, null, 0, 200);
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            using var sampler2 = o.AllocProfile ? new AllocationSampler() : null;
            sampler2?.Start();
            allocated = GC.GetTotalAllocatedBytes(true);
            sw.Restart();
            for (var r = 0; r < o.Rounds; r++)
            {
                var t = t0 + (long)round++ * o.StepMs;
                if (mode == "pipeline") await PipelineRoundAsync(node, series, t);
                else if (mode == "snapshot")
                {
                    snapshots = true;
                    await SendAsync(o.Warmup, o.Warmup + series, t);
                    snapshots = false;
                }
                else if (mode == "tell") await SendAsync(o.Warmup, o.Warmup + series, t);
                else throw new ArgumentException("unknown mode " + mode);
            }
            var seconds = sw.Elapsed.TotalSeconds;
            var alloc = GC.GetTotalAllocatedBytes(true) - allocated;
            var g0 = GC.CollectionCount(0) - gen0;
            var g1 = GC.CollectionCount(1) - gen1;
            var g2 = GC.CollectionCount(2) - gen2;
            var pauseMs = (GC.GetTotalPauseDuration() - pause).TotalMilliseconds;
            var profile = sampler2?.Stop().OrderByDescending(kv => kv.Value).Take(40)
                .Select(kv => new TypeDelta(kv.Key, kv.Value / ((long)series * o.Rounds), 0)).ToList();
            var now = MemorySample.Now();
            await Task.Delay(1000);
            appends[mode] = new AppendStats((long)series * o.Rounds, (long)series * o.Rounds, seconds, alloc, g0, g1, g2, pauseMs,
                now.Rss, Interlocked.Read(ref rssPeak), now.HeapSize, now.Committed, MemorySample.AfterFullGc(), profile);
        }

        var gcConfig = string.Join(' ', GC.GetConfigurationVariables()
            .Select(kv => $"{kv.Key}={kv.Value}"));
        var result = new ChildResult(o.Kind, o.Count, GCSettings.IsServerGC, gcConfig, node.DequeMailboxType, createSeconds, before, afterNoGc, after,
            createAllocated, appends, types);
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>One round through the real write path: IngestionPipeline batches of 100 hosts x 10 metrics, one point each.</summary>
    private static async Task PipelineRoundAsync(BenchNode node, int series, long t)
    {
        var pipeline = node.Engine.Ingestion;
        var hosts = series / 10;
        var batches = new List<Task<IngestOutcome>>();
        for (var h0 = 0; h0 < hosts; h0 += 100)
        {
            var samples = new List<HostSamples>();
            for (var h = h0; h < Math.Min(hosts, h0 + 100); h++)
            {
                var metrics = new SeriesSamples[10];
                for (var m = 0; m < 10; m++) metrics[m] = new SeriesSamples($"bench.m{m}", [t], [Math.Round(Math.Sin(h * 10 + m + t / 60_000.0) * 100, 2)]);
                samples.Add(new HostSamples($"bench-{h:D4}", metrics));
            }
            batches.Add(pipeline.SubmitAsync(new IngestBatch(samples), new IngestOrigin("bench", "bench")));
            if (batches.Count >= 32)
            {
                await Check(batches);
                batches.Clear();
            }
        }
        await Check(batches);

        static async Task Check(List<Task<IngestOutcome>> batches)
        {
            foreach (var outcome in await Task.WhenAll(batches))
                if (outcome.Status != IngestStatus.Stored) throw new InvalidOperationException("pipeline answered " + outcome.Status);
        }
    }
}
