using System.Diagnostics;
using System.Runtime;
using System.Text.RegularExpressions;

namespace Perf.Bench.Memory;

/// <summary>Memory readings of this process.</summary>
public sealed record MemorySample(long ManagedLive, long HeapSize, long Committed, long Rss, long RssAnon, long Gen2, long Loh)
{
    /// <summary>Reads after a full blocking compacting collection (what is really retained).</summary>
    public static MemorySample AfterFullGc()
    {
        FullGc();
        return Read(GC.GetTotalMemory(false));
    }

    /// <summary>Reads without collecting: what the process looks like while it works.</summary>
    public static MemorySample Now() => Read(GC.GetTotalMemory(false));

    public static void FullGc()
    {
        for (var i = 0; i < 3; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }

    private static MemorySample Read(long live)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var (rss, anon) = ReadRss();
        var gen = info.GenerationInfo;
        return new MemorySample(live, info.HeapSizeBytes, info.TotalCommittedBytes, rss, anon,
            gen.Length > 2 ? gen[2].SizeAfterBytes : 0, gen.Length > 3 ? gen[3].SizeAfterBytes : 0);
    }

    public static (long Rss, long Anon) ReadRss()
    {
        long rss = 0, anon = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = Kb(line);
        }
        return (rss, anon);

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}

/// <summary>dotnet-gcdump of this process: bytes and objects per type.</summary>
public static partial class GcDump
{
    public const string HeapTotal = "(GC heap total)";

    public static string? Tool
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
            var path = Path.Combine(home, ".dotnet", "tools", "dotnet-gcdump");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>Type name (with its assembly) -> (bytes, count), or null when the tool is missing.</summary>
    public static Dictionary<string, (long Bytes, long Count)>? Take(string file)
    {
        if (Tool is not { } tool) return null;
        Run(tool, $"collect -p {Environment.ProcessId} -o {file}");
        var report = Run(tool, $"report {file}");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "perf-bench-memory-" + Path.GetFileNameWithoutExtension(file) + ".txt"), report);
        var types = new Dictionary<string, (long, long)>();
        foreach (var line in report.Split('\n'))
        {
            // Total of the heap; strings are listed at their base size only, so their real bytes are the rest.
            if (line.Contains("GC Heap bytes", StringComparison.Ordinal))
                types[HeapTotal] = (long.Parse(line.Trim().Split(' ')[0].Replace(",", "")), 0);
            var m = Row().Match(line);
            if (!m.Success) continue;
            var name = m.Groups[3].Value.Trim();
            // Strip the "(Bytes > 10K)" style size-bucket suffixes the report adds to arrays so buckets add up per type.
            name = Bucket().Replace(name, "");
            // heapstat prints the average object size and the object count of each (type, size bucket).
            var count = long.Parse(m.Groups[2].Value.Replace(",", ""));
            var bytes = long.Parse(m.Groups[1].Value.Replace(",", "")) * count;
            types[name] = types.TryGetValue(name, out var t) ? (t.Item1 + bytes, t.Item2 + count) : (bytes, count);
        }
        return types;
    }

    private static string Run(string tool, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(180_000)) { p.Kill(); throw new TimeoutException("dotnet-gcdump " + args); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"dotnet-gcdump {args} failed: {error.Result}");
        return output.Result;
    }

    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(\S.*)$")]
    private static partial Regex Row();

    [GeneratedRegex(@"\s*\(Bytes\s*[<>]=?\s*[\dKM]+\)")]
    private static partial Regex Bucket();
}
