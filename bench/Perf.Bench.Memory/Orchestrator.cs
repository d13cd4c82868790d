using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Perf.Bench.Memory;

/// <summary>
/// Runs each measurement in its own process (clean heap, its own GC settings) and prints the tables.
/// Suites: breakdown (retained bytes per entity by kind and by type, allocations per append by component), scale (100k series
/// under GC settings, today's actor vs the prototypes), micro (allocations of the pieces of one append), all.
/// </summary>
public static class Orchestrator
{
    private sealed record Run(string Label, string Args, Dictionary<string, string>? Env = null);

    /// <summary>Every prototype at once: LeanSeriesActor, CompactMailbox, LeanSeriesJournal, no journal call timeout.</summary>
    private const string AllPrototypes = "kind=lean-series mailbox=compact series-journal=lean breaker-timeout=infinite";

    public static async Task<int> RunAsync(string[] args)
    {
        var suite = args.FirstOrDefault() ?? "all";
        var breakdownCount = Arg(args, "--count", 20_000);
        var scaleCount = Arg(args, "--scale-count", 100_000);
        var output = new StringBuilder();
        var total = Stopwatch.StartNew();
        void Print(string text)
        {
            Console.WriteLine(text);
            output.AppendLine(text);
        }

        Print($"# Perf.Bench.Memory ({DateTime.UtcNow:u}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        if (suite is "breakdown" or "all") await BreakdownAsync(breakdownCount, Print);
        if (suite is "scale" or "all") await ScaleAsync(scaleCount, Print);
        if (suite is "micro" or "all") MicroTable(Print);
        Print($"\n(total {total.Elapsed.TotalSeconds:F0} s)");
        var file = Path.Combine(Path.GetTempPath(), $"perf-bench-memory-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        await File.WriteAllTextAsync(file, output.ToString());
        Console.WriteLine($"written to {file}");
        return 0;
    }

    // ---------------------------------------------------------------- breakdown

    private static async Task BreakdownAsync(int n, Action<string> print)
    {
        var common = $"count={n} warmup=2000 rounds=3";
        var runs = new[]
        {
            new Run("plain", $"kind=plain {common} mode=tell,ask dump=true"),
            new Run("sharded", $"kind=sharded {common} mode=tell,ask dump=true"),
            new Run("persistent/null", $"kind=persistent journal=null {common} mode=tell"),
            new Run("persistent/serialize", $"kind=persistent journal=serialize {common} mode=tell"),
            new Run("persistent", $"kind=persistent {common} mode=tell,ask dump=true"),
            new Run("series", $"kind=series {common} mode=tell,ask,pipeline dump=true"),
            new Run("series+compact", $"kind=series mailbox=compact {common} mode=tell,ask dump=true"),
            new Run("lean", $"kind=lean-series {common} mode=tell,ask dump=true"),
            new Run("lean+compact", $"kind=lean-series mailbox=compact {common} mode=tell,ask dump=true"),
            new Run("series+breaker", $"kind=series breaker-timeout=infinite {common} mode=tell"),
            new Run("series+leanjournal", $"kind=series series-journal=lean {common} mode=tell"),
            new Run("all prototypes", $"{AllPrototypes} {common} mode=tell,ask,pipeline"),
            // Steady state: heads near their seal size, seals and snapshots happening (30 s between points, 200 rounds).
            new Run("series, 200 rounds", "kind=series count=5000 warmup=1000 rounds=200 step-ms=30000 mode=tell"),
            new Run("all prototypes, 200 rounds", $"{AllPrototypes} count=5000 warmup=1000 rounds=200 step-ms=30000 mode=tell"),
            // What SeriesActor does every 100-199 events and HostActor every 15 s per host with new latest values.
            new Run("snapshot cycle", "kind=persistent count=5000 warmup=1000 rounds=2 mode=snapshot"),
        };
        var results = new Dictionary<string, ChildResult>();
        foreach (var run in runs) results[run.Label] = await ChildAsync(run, print);

        print($"\n## Retained bytes per entity ({n:N0} entities, workstation GC, after a full compacting GC)\n");
        print("| entity kind | managed heap / entity | RSS / entity | what it is |");
        print("|---|---:|---:|---|");
        var what = new Dictionary<string, string>
        {
            ["plain"] = "ReceiveActor, one handler, system.ActorOf (actor cell + mailbox floor)",
            ["sharded"] = "same actor as a sharding entity (idle passivation on)",
            ["persistent"] = "bare ReceivePersistentActor entity, one PersistAsync per message, series journal",
            ["series"] = "SeriesActor (today)",
            ["series+compact"] = "SeriesActor + CompactMailbox for deque mailboxes (HOCON only)",
            ["lean"] = "LeanSeriesActor prototype (untyped, one logger, no key/list fields, fast Decide)",
            ["lean+compact"] = "LeanSeriesActor + CompactMailbox",
        };
        foreach (var (label, text) in what)
        {
            var r = results[label];
            print($"| {label} | {PerEntity(r, s => s.ManagedLive):F0} | {PerEntity(r, s => s.Rss):F0} | {text} |");
        }

        double M(string label) => PerEntity(results[label], s => s.ManagedLive);
        print("\n### Split by difference (managed bytes / entity)\n");
        print("| component | bytes | from |");
        print("|---|---:|---|");
        print($"| Akka actor (cell, ref, path, props, ReceiveActor tables, mailbox ~1.1 KB of it) + last Ask sender kept by the cell | {M("plain"):F0} | plain |");
        print($"| cluster sharding bookkeeping (3 dictionary entries, death watch, child stats) | {M("sharded") - M("plain"):F0} | sharded - plain |");
        print($"| Eventsourced base (stashes, lists, logger, writer guid, persistence id, deque mailbox) | {M("persistent") - M("sharded"):F0} | persistent - sharded |");
        print($"| SeriesActor's own (17 handler delegates, 2nd logger, key strings, lists, state, head) | {M("series") - M("persistent"):F0} | series - persistent |");
        print($"| saved by CompactMailbox | {M("series") - M("series+compact"):F0} | series - series+compact |");
        print($"| saved by LeanSeriesActor | {M("series") - M("lean"):F0} | series - lean |");
        print($"| saved by both | {M("series") - M("lean+compact"):F0} | series - lean+compact |");

        print("\n### SeriesActor entity by type (gcdump diff, bytes / entity, grouped)\n");
        TypeTable(results["series"], print);
        print("\n### LeanSeriesActor + CompactMailbox by type\n");
        TypeTable(results["lean+compact"], print);

        print($"\n## Allocated bytes per append (1 point per message; {n:N0} entities x 3 rounds, process-wide GC.GetTotalAllocatedBytes)\n");
        print("| run | mode | bytes / append | appends/s | GC pause share |");
        print("|---|---|---:|---:|---:|");
        foreach (var (label, r) in results)
        foreach (var (mode, a) in r.Appends)
            print($"| {label} | {mode} | {a.AllocatedBytes / (double)a.Messages:F0} | {a.Messages / a.Seconds:F0} | {a.PauseMs / (a.Seconds * 1000):P0} |");

        double A(string label, string mode) => results[label].Appends[mode] is var a ? a.AllocatedBytes / (double)a.Messages : double.NaN;
        print("\n### Split by difference (bytes / append)\n");
        print("| component | bytes | from |");
        print("|---|---:|---|");
        print($"| message + Tell + reply through mailboxes (bench driver included) | {A("plain", "tell"):F0} | plain tell |");
        print($"| sharding routing (region -> shard -> entity) | {A("sharded", "tell") - A("plain", "tell"):F0} | sharded tell - plain tell |");
        print($"| Akka.Persistence: PersistAsync, journal protocol, AsyncWriteJournal, resequencer | {A("persistent/null", "tell") - A("sharded", "tell"):F0} | persistent/null - sharded |");
        print($"| SqliteSeriesJournal before SQLite: serializer, rows, PendingWrite/TCS, async state machines | {A("persistent/serialize", "tell") - A("persistent/null", "tell"):F0} | persistent/serialize - persistent/null |");
        print($"| SqliteSeriesJournal writer loop: SQLite insert per row | {A("persistent", "tell") - A("persistent/serialize", "tell"):F0} | persistent - persistent/serialize |");
        print($"| SeriesActor logic (waiting list, Decide, closures, AppendPoints arrays) | {A("series", "tell") - A("persistent", "tell"):F0} | series tell - persistent tell |");
        print($"| Ask instead of Tell (temporary actor, TCS, timeout registration) | {A("series", "ask") - A("series", "tell"):F0} | series ask - series tell |");
        print($"| IngestionPipeline on top (host registration Ask, RecordLatest, LINQ), per point | {A("series", "pipeline") - A("series", "ask"):F0} | series pipeline - series ask |");
        print($"| saved by LeanSeriesActor (fast Decide path, no list) | {A("series", "tell") - A("lean", "tell"):F0} | series tell - lean tell |");
        print($"| saved by journal circuit-breaker call-timeout = infinite (no WaitAsync timer per write) | {A("series", "tell") - A("series+breaker", "tell"):F0} | series - series+breaker |");
        print($"| saved by LeanSeriesJournal (no async box, one Row, exact PointsRecorded bytes) | {A("series", "tell") - A("series+leanjournal", "tell"):F0} | series - series+leanjournal |");
        print($"| saved by all prototypes, Tell | {A("series", "tell") - A("all prototypes", "tell"):F0} | series - all prototypes |");
        print($"| saved by all prototypes + Tell instead of Ask | {A("series", "ask") - A("all prototypes", "tell"):F0} | series ask - all prototypes tell |");

        print("\n### Steady state (5,000 series, 200 points each 30 s apart: heads fill, chunks seal, snapshots are taken)\n");
        print("| run | managed/series after 1 point | after 200 points | head growth | bytes / append incl. seals and snapshots |");
        print("|---|---:|---:|---:|---:|");
        foreach (var label in new[] { "series, 200 rounds", "all prototypes, 200 rounds" })
        {
            var r = results[label];
            var a = r.Appends["tell"];
            var first = PerEntity(r, s => s.ManagedLive);
            var last = (a.AfterFullGc.ManagedLive - r.Before.ManagedLive) / (double)r.Count;
            print($"| {label} | {first:F0} | {last:F0} | {last - first:F0} | {a.AllocatedBytes / (double)a.Messages:F0} |");
        }
        var snap = results["snapshot cycle"].Appends["snapshot"];
        print($"\nOne snapshot cycle (SaveSnapshot of a 1 KB head to Akka.Persistence.Sql, then DeleteMessages + DeleteSnapshots): " +
              $"{snap.AllocatedBytes / (double)snap.Messages / 1024:F0} KB allocated, {snap.Messages / snap.Seconds:F0} cycles/s. " +
              "SeriesActor does one per 100-199 events; HostActor one per dirty host every 15 s.");
    }

    private static void TypeTable(ChildResult r, Action<string> print)
    {
        if (r.Types is not { } types)
        {
            print("(no dump: dotnet-gcdump not installed; `dotnet tool install -g dotnet-gcdump`)");
            return;
        }
        var n = r.Count;
        var heap = types.First(t => t.Type == GcDump.HeapTotal).Bytes;
        var listed = types.Where(t => t.Type != GcDump.HeapTotal && t.Type != "System.String  [System.Private.CoreLib.dll]").ToList();
        var groups = listed.GroupBy(t => Classify(t.Type)).Select(g => (Group: g.Key, Bytes: g.Sum(t => t.Bytes), Top: g.OrderByDescending(t => t.Bytes).Take(4).ToList()))
            .Append(("strings (entity id, actor name, persistence id, writer guid, log source paths, temp names)", heap - listed.Sum(t => t.Bytes), []))
            .OrderByDescending(g => g.Item2);
        print("| group | bytes / entity | largest types (bytes / entity) |");
        print("|---|---:|---|");
        foreach (var (group, bytes, top) in groups)
        {
            if (Math.Abs(bytes / (double)n) < 8) continue;
            var types2 = string.Join(", ", top.Where(t => t.Bytes / (double)n >= 8).Select(t => $"{Short(t.Type)} {t.Bytes / (double)n:F0}"));
            print($"| {group} | {bytes / (double)n:F0} | {types2} |");
        }
        print($"| **total GC heap growth** | **{heap / (double)n:F0}** | |");
    }

    private static string Short(string type)
    {
        var t = type;
        var bracket = t.LastIndexOf("  [", StringComparison.Ordinal);
        if (bracket > 0) t = t[..bracket];
        t = t.Replace("System.Collections.Generic.", "").Replace("System.Collections.Concurrent.", "").Replace("System.Threading.Tasks.", "")
            .Replace("Akka.Actor.", "").Replace("Akka.Persistence.", "").Replace("Akka.Tools.MatchHandler.", "").Replace("System.", "")
            .Replace("Perf.Actors.Series.", "").Replace("Perf.Bench.Memory.", "").Replace("Perf.Analytics.Compression.", "");
        return t.Length > 70 ? t[..70] + "…" : t;
    }

    private static string Classify(string type)
    {
        bool Has(params string[] parts) => parts.Any(p => type.Contains(p, StringComparison.Ordinal));
        if (Has("Slot<Akka.Actor.Envelope>", "ConcurrentQueueSegment<Akka.Actor.Envelope>", "ConcurrentQueue<Akka.Actor.Envelope>", "UnboundedMessageQueue",
                "UnboundedDequeMessageQueue", "Stack<Akka.Actor.Envelope>", "Akka.Actor.Envelope[]", "Akka.Dispatch.Mailbox", "CompactMessageQueue"))
            return "mailbox (message queue)";
        if (Has("UnboundedStashImpl", "LinkedList<Akka.Actor.Envelope>", "InternalStashAwareStash", "IPersistentEnvelope", "IPendingHandlerInvocation",
                "EventsourcedState", "StateReceive"))
            return "Eventsourced base (stashes, batches, state)";
        if (Has("MatchHandler", "System.Action<", "c__DisplayClass", "System.Object[]", "Akka.Actor.Receive"))
            return "handlers (ReceiveActor match tables, delegates, behavior stack)";
        if (Has("FullActorState", "Dictionary<Akka.Actor.IActorRef,Akka.Util.Option", "HashSet<Akka.Actor.IActorRef>", "Entry<Akka.Actor.IActorRef>[]",
                "System.Int32[]", "DefaultActorState"))
            return "death watch (shard watches entity)";
        if (Has("Akka.Cluster.Sharding", "Shard+EntityState", "Entry<Akka.Actor.IActorRef,System.String>", "Entry<System.String,System.DateTime>"))
            return "sharding bookkeeping";
        if (Has("FutureActorRef", "Task<System.Object>", "TaskCompletionSource<System.Object>", "AppendResult", "Pong"))
            return "last Ask sender kept by ActorCell.Sender";
        if (Has("SchedulerRegistration", "CancellationTokenSource", "Akka.Actor.Cancelable", "ScheduledTell", "RecoveryTick"))
            return "recovery timeout timers (not yet fired)";
        if (Has("BusLogging"))
            return "logging adapters";
        if (Has("SeriesState", "GorillaChunkEncoder", "System.Byte[]", "SeriesActor", "LeanSeriesActor", "BarePersistentActor", "PlainActor",
                "List<System.ValueTuple<Perf"))
            return "the actor object, SeriesState, head";
        if (Has("ActorCell", "LocalActorRef", "RepointableActorRef", "ActorPath", "Props", "ActivatorProducer", "ChildRestartStats", "ImmutableDictionary"))
            return "actor cell, ref, path, props, parent's child table";
        return "other";
    }

    // ---------------------------------------------------------------- scale

    private static async Task ScaleAsync(int n, Action<string> print)
    {
        var common = $"count={n} warmup=2000 rounds=3 mode=ask";
        Dictionary<string, string> Env(params string[] pairs) => pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        // DATAS = dynamic adaptation (default of Server GC since .NET 9); Perf.Api/Perf.Host turn it off since commit ac02acc.
        // GC numbers are hex, like every DOTNET_GC* setting; note the capital G of Gen0 (DOTNET_GCgen0MaxBudget is ignored).
        var datas = Env("DOTNET_gcServer=1");
        var noDatas = Env("DOTNET_gcServer=1", "DOTNET_GCDynamicAdaptationMode=0");
        var noDatasGen0 = Env("DOTNET_gcServer=1", "DOTNET_GCDynamicAdaptationMode=0", "DOTNET_GCGen0MaxBudget=2000000");
        var workstation = Env("DOTNET_gcServer=0", "DOTNET_gcConcurrent=1");
        var runs = new[]
        {
            new Run("SeriesActor, Server GC + DATAS (.NET default)", $"kind=series {common}", datas),
            new Run("SeriesActor, Server GC, DATAS off (Perf.Api now)", $"kind=series {common}", noDatas),
            new Run("SeriesActor, Server GC, DATAS off, GCGen0MaxBudget=32MB", $"kind=series {common}", noDatasGen0),
            new Run("SeriesActor, Workstation GC", $"kind=series {common}", workstation),
            new Run("all prototypes, Server GC, DATAS off", $"{AllPrototypes} {common}", noDatas),
            new Run("all prototypes, Server GC, DATAS off, GCGen0MaxBudget=32MB", $"{AllPrototypes} {common}", noDatasGen0),
            new Run("all prototypes, Workstation GC", $"{AllPrototypes} {common}", workstation),
        };
        print($"\n## {n:N0} active series: RSS per series (bytes) under GC settings\n");
        print("RSS/series = whole-process RSS / series (what the goal measures); +RSS = growth from the node before any series. " +
              "'under load' = right after 3 rounds of one-point appends to every series through the shard region (Ask), no forced GC.\n");
        print("| configuration | managed/series | +RSS/series after start | RSS/series after start | RSS/series under load | peak | alloc/append | appends/s | GC pause share | gen0/1/2 GCs |");
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var run in runs)
        {
            var r = await ChildAsync(run, print);
            var a = r.Appends["ask"];
            print($"| {run.Label} | {PerEntity(r, s => s.ManagedLive):F0} | {PerEntity(r, s => s.Rss):F0} | {r.After.Rss / (double)n:F0} | " +
                  $"{a.RssAfter / (double)n:F0} | {a.PeakRss / (double)n:F0} | {a.AllocatedBytes / (double)a.Messages:F0} | {a.Messages / a.Seconds:F0} | " +
                  $"{a.PauseMs / (a.Seconds * 1000):P0} | {a.Gen0}/{a.Gen1}/{a.Gen2} |");
        }
    }

    // ---------------------------------------------------------------- micro

    private static void MicroTable(Action<string> print)
    {
        print("\n## Allocations of the pieces of one append (single thread, bytes / operation)\n");
        print("| piece | bytes |");
        print("|---|---:|");
        foreach (var (piece, bytes) in Micro.Run()) print($"| {piece} | {bytes:F0} |");
    }

    // ---------------------------------------------------------------- plumbing

    private static double PerEntity(ChildResult r, Func<MemorySample, long> value) => (value(r.After) - value(r.Before)) / (double)r.Count;

    private static async Task<ChildResult> ChildAsync(Run run, Action<string> print)
    {
        var started = Stopwatch.StartNew();
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(typeof(Orchestrator).Assembly.Location);
        info.ArgumentList.Add("child");
        foreach (var a in run.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)) info.ArgumentList.Add(a);
        // A child's GC mode comes only from what the run says (the bench's own runtimeconfig is workstation).
        foreach (var key in new[] { "DOTNET_gcServer", "DOTNET_gcConcurrent", "DOTNET_GCGen0MaxBudget", "DOTNET_GCConserveMemory", "DOTNET_GCDynamicAdaptationMode" }) info.Environment.Remove(key);
        foreach (var (k, v) in run.Env ?? []) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? line, result = null;
        var log = new StringBuilder();
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal)) result = line[7..];
            else log.AppendLine(line);
        }
        await process.WaitForExitAsync();
        Console.Error.WriteLine($"  [{run.Label}: {started.Elapsed.TotalSeconds:F0} s]");
        if (result is null)
            throw new InvalidOperationException($"run '{run.Label}' gave no result (exit {process.ExitCode}):\n{log}\n{await stderr}");
        return JsonSerializer.Deserialize<ChildResult>(result)!;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
