namespace Perf.Actors.Telemetry;

/// <summary>
/// Failures (a detector that threw, a model that did not train, a report or a notification given up on) counted over a
/// trailing window rather than per self-monitoring interval: an alert on "any in the last 10 minutes" stays firing long
/// enough to pass the notification delay and be sent, and resolves once the window holds none.
/// </summary>
public sealed class FailureWindow(TimeSpan length)
{
    public static readonly IReadOnlySet<string> Instruments = new HashSet<string>(StringComparer.Ordinal)
    {
        "perf.detector.failures", "perf.host_model.failures", "perf.reports.failed", "perf.notifications.failed",
    };

    private readonly Queue<(long AtMs, string Key, double Count)> _failures = new();

    /// <summary>Takes an interval's readings; returns, per failure counter and tag set, how many fell in the window up to <paramref name="nowMs"/>.</summary>
    public IReadOnlyList<MetricsReader.Reading> Add(long nowMs, IReadOnlyList<MetricsReader.Reading> readings)
    {
        var counters = readings.Where(r => r.Kind == MetricsReader.Kind.Counter && Instruments.Contains(r.Instrument)).ToArray();
        foreach (var reading in counters.Where(r => r.Value > 0)) _failures.Enqueue((nowMs, KeyOf(reading), reading.Value));
        while (_failures.TryPeek(out var oldest) && oldest.AtMs <= nowMs - (long)length.TotalMilliseconds) _failures.Dequeue();
        var totals = _failures.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.Sum(f => f.Count));
        return [.. counters.Select(r => r with { Value = totals.GetValueOrDefault(KeyOf(r)) })];
    }

    private static string KeyOf(MetricsReader.Reading reading) => reading.Instrument + "|" + string.Join(",", reading.Tags.Select(t => t.Key + "=" + t.Value));
}
