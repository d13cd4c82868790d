using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Perf.Bench.Memory;

/// <summary>
/// In-process allocation profile: the runtime's GCAllocationTick events (one per ~100 KB allocated, naming the type being
/// allocated at that moment) added up per type. Statistical, but with thousands of ticks it shows where the bytes go.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _on;

    public void Start() => _on = true;

    public Dictionary<string, long> Stop()
    {
        _on = false;
        return new Dictionary<string, long>(_bytes);
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null) return;
        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
        var amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
        var amount = amountIndex >= 0 ? Convert.ToInt64(e.Payload![amountIndex]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, b) => b + amount);
    }
}
