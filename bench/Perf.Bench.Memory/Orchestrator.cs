using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Perf.Bench.Memory;

/// <summary>
/// Runs each measurement in its own process (clean heap, its own GC settings) and prints the tables.
/// Suites: breakdown (retained bytes per entity by kind and by type, allocations per append by component), scale (100k series
/// of a product node under the product's GC settings and the alternatives), micro (allocations of the pieces of one append), all.
/// </summary>
public static class Orchestrator
{
    private sealed record Run(string Label, string Args, Dictionary<string, string>? Env = null);

    public static async Task<int> RunAsync(string[] args)
    {
        var suite = args.FirstOrDefault() ?? "all";
        if (suite is not ("all" or "breakdown" or "scale" or "micro"))
        {
            Console.Error.WriteLine("usage: Perf.Bench.Memory [all|breakdown|scale|micro] [--count N] [--scale-count N] | child key=value...");
            return 2;
        }
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
            new Run("plain", $"kind=plain {common} mode=tell dump=true"),
            new Run("sharded", $"kind=sharded {common} mode=tell dump=true"),
            new Run("persistent/null", $"kind=persistent journal=null {common} mode=tell"),
            new Run("persistent/serialize", $"kind=persistent journal=serialize {common} mode=tell"),
            new Run("persistent", $"kind=persistent {common} mode=tell dump=true"),
            new Run("series", $"kind=series {common} mode=tell,pipeline dump=true"),
            // Steady state: heads near their seal size, seals and snapshots happening (30 s between points, 200 rounds).
            new Run("series, 200 rounds", "kind=series count=5000 warmup=1000 rounds=200 step-ms=30000 mode=tell"),
            // What SeriesActor does after each seal and every 100-199 events.
            new Run("snapshot cycle", "kind=persistent count=5000 warmup=1000 rounds=2 mode=snapshot"),
        };
        var results = new Dictionary<string, ChildResult>();
        foreach (var run in runs) results[run.Label] = await ChildAsync(run, print);

        var series = results["series"];
        print($"\nNode: hocon/ of the product via PerfConfiguration.Load, PerfNodeExtensions.AddPerfNode; deque mailbox {series.DequeMailbox}; " +
              $"{(series.ServerGc ? "Server" : "Workstation")} GC, {GcKnobs(series)}.");
        print($"\n## Retained bytes per entity ({n:N0} entities, after a full compacting GC)\n");
        print("| entity kind | managed heap / entity | RSS / entity | what it is |");
        print("|---|---:|---:|---|");
        var what = new Dictionary<string, string>
        {
            ["plain"] = "untyped actor, system.ActorOf (actor cell + mailbox floor)",
            ["sharded"] = "same actor as an entity of a shard region with the series region's options",
            ["persistent"] = "bare UntypedPersistentActor entity on the series journal and snapshot store, one PersistAsync per message",
            ["series"] = "SeriesActor, in the node's series region",
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
        print($"| Akka actor (cell, ref, path, props, default mailbox) | {M("plain"):F0} | plain |");
        print($"| cluster sharding bookkeeping (entity tables, death watch, child stats) | {M("sharded") - M("plain"):F0} | sharded - plain |");
        print($"| Eventsourced base (stash, lists, logger, writer guid, persistence id; deque mailbox instead of the default) | {M("persistent") - M("sharded"):F0} | persistent - sharded |");
        print($"| SeriesActor's own (fields, SeriesState, head encoder) | {M("series") - M("persistent"):F0} | series - persistent |");

        print("\n### SeriesActor entity by type (gcdump diff, bytes / entity, grouped)\n");
        TypeTable(results["series"], print);

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
        print($"| message + Tell + AppendResult reply to one collector (bench driver included) | {A("plain", "tell"):F0} | plain tell |");
        print($"| sharding routing (region -> shard -> entity) | {A("sharded", "tell") - A("plain", "tell"):F0} | sharded - plain |");
        print($"| Akka.Persistence: PersistAsync, journal protocol, AsyncWriteJournal | {A("persistent/null", "tell") - A("sharded", "tell"):F0} | persistent/null - sharded |");
        print($"| SeriesJournal up to the inserts: serializer, rows, DatabaseWriter hand-off and group commit | {A("persistent/serialize", "tell") - A("persistent/null", "tell"):F0} | persistent/serialize - persistent/null |");
        print($"| DatabaseWriter: SQLite insert per row | {A("persistent", "tell") - A("persistent/serialize", "tell"):F0} | persistent - persistent/serialize |");
        print($"| SeriesActor logic (waiting list, Decide, head append, seal checks) | {A("series", "tell") - A("persistent", "tell"):F0} | series - persistent |");
        print($"| IngestionPipeline on top (queue, host registration Ask, request bookkeeping, RecordLatest), per point | {A("series", "pipeline") - A("series", "tell"):F0} | series pipeline - series tell |");

        print("\n### Steady state (5,000 series, 200 points each 30 s apart: heads fill, chunks seal, snapshots are taken)\n");
        print("| run | managed/series after 1 point | after 200 points | head growth | bytes / append incl. seals and snapshots | appends/s |");
        print("|---|---:|---:|---:|---:|---:|");
        {
            var r = results["series, 200 rounds"];
            var a = r.Appends["tell"];
            var first = PerEntity(r, s => s.ManagedLive);
            var last = (a.AfterFullGc.ManagedLive - r.Before.ManagedLive) / (double)r.Count;
            print($"| series, 200 rounds | {first:F0} | {last:F0} | {last - first:F0} | {a.AllocatedBytes / (double)a.Messages:F0} | {a.Messages / a.Seconds:F0} |");
        }
        var snap = results["snapshot cycle"].Appends["snapshot"];
        print($"\nOne snapshot cycle (SaveSnapshot of a 1 KB head to SeriesSnapshotStore, then DeleteMessages on SeriesJournal): " +
              $"{snap.AllocatedBytes / (double)snap.Messages / 1024:F1} KB allocated, {snap.Messages / snap.Seconds:F0} cycles/s. " +
              "SeriesActor does one after each seal and every 100-199 events.");
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
                "UnboundedDequeMessageQueue", "Stack<Akka.Actor.Envelope>", "Akka.Actor.Envelope[]", "Akka.Dispatch.Mailbox", "CompactDeque"))
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
        if (Has("FutureActorRef", "Task<System.Object>", "TaskCompletionSource<System.Object>", "AppendResult"))
            return "replies and Ask temporaries still referenced";
        if (Has("SchedulerRegistration", "CancellationTokenSource", "Akka.Actor.Cancelable", "ScheduledTell", "RecoveryTick"))
            return "recovery timeout timers (not yet fired)";
        if (Has("BusLogging"))
            return "logging adapters";
        if (Has("SeriesState", "GorillaChunkEncoder", "System.Byte[]", "SeriesActor", "BarePersistentActor", "PlainActor",
                "List<System.ValueTuple<Perf"))
            return "the actor object, SeriesState, head";
        if (Has("ActorCell", "LocalActorRef", "RepointableActorRef", "ActorPath", "Props", "ActivatorProducer", "ChildRestartStats", "ImmutableDictionary"))
            return "actor cell, ref, path, props, parent's child table";
        return "other";
    }

    // ---------------------------------------------------------------- scale

    private static async Task ScaleAsync(int n, Action<string> print)
    {
        var common = $"count={n} warmup=2000 rounds=3 mode=tell";
        Dictionary<string, string> Env(params string[] pairs) => pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        // Without a DOTNET_GC* variable a child runs what the bench's runtimeconfig says, which mirrors the product's
        // (Perf.Api.csproj: DATAS off, gen0 budget at most 32 MB); the variables override it. GC numbers are hex, like every
        // DOTNET_GC* setting; note the capital G of Gen0 (DOTNET_GCgen0MaxBudget is ignored); a budget of 0 means no cap.
        var runs = new[]
        {
            new Run("Perf.Api: Server GC, DATAS off, gen0 <= 32 MB", $"kind=series {common}", Env("DOTNET_gcServer=1")),
            new Run("Perf.Host: Workstation GC, gen0 <= 32 MB", $"kind=series {common}", Env("DOTNET_gcServer=0", "DOTNET_gcConcurrent=1")),
            new Run("Server GC, DATAS off, no gen0 cap", $"kind=series {common}", Env("DOTNET_gcServer=1", "DOTNET_GCGen0MaxBudget=0")),
            new Run("Server GC + DATAS, no gen0 cap (.NET default)", $"kind=series {common}",
                Env("DOTNET_gcServer=1", "DOTNET_GCDynamicAdaptationMode=1", "DOTNET_GCGen0MaxBudget=0")),
        };
        print($"\n## {n:N0} active series (SeriesActor on a product node): RSS per series (bytes) under GC settings\n");
        print("RSS/series = whole-process RSS / series (what the goal measures); +RSS = growth from the node before any series. " +
              "'under load' = right after 3 rounds of one-point appends to every series through the shard region (Tell, replies to " +
              "one collector), no forced GC.\n");
        print("| configuration | managed/series | +RSS/series after start | RSS/series after start | RSS/series under load | peak | alloc/append | appends/s | GC pause share | gen0/1/2 GCs | GC as the child saw it |");
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var run in runs)
        {
            var r = await ChildAsync(run, print);
            var a = r.Appends["tell"];
            print($"| {run.Label} | {PerEntity(r, s => s.ManagedLive):F0} | {PerEntity(r, s => s.Rss):F0} | {r.After.Rss / (double)n:F0} | " +
                  $"{a.RssAfter / (double)n:F0} | {a.PeakRss / (double)n:F0} | {a.AllocatedBytes / (double)a.Messages:F0} | {a.Messages / a.Seconds:F0} | " +
                  $"{a.PauseMs / (a.Seconds * 1000):P0} | {a.Gen0}/{a.Gen1}/{a.Gen2} | {(r.ServerGc ? "server" : "workstation")}, {GcKnobs(r)} |");
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

    /// <summary>The GC knobs the child ran with, from GC.GetConfigurationVariables (DATAS and the gen0 cap).</summary>
    private static string GcKnobs(ChildResult r)
    {
        var knobs = r.GcConfig.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.OrdinalIgnoreCase);
        var datas = knobs.GetValueOrDefault("GCDynamicAdaptationMode", "?");
        var gen0 = long.TryParse(knobs.GetValueOrDefault("GCGen0MaxBudget"), out var budget)
            ? budget == 0 ? "no gen0 cap" : $"gen0 <= {budget / (1024 * 1024)} MB"
            : "gen0 cap ?";
        return $"DATAS {(datas == "1" ? "on" : datas == "0" ? "off" : datas)}, {gen0}";
    }

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
        // A child's GC settings are the bench's runtimeconfig (the product's) plus what the run says, nothing inherited.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase) ||
                                                             k.StartsWith("COMPlus_gc", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
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
