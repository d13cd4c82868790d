using Perf.Actors.Alerts;
using Perf.Actors.Series;

namespace Perf.Actors.Hosts;

/// <summary>The points (and findings) of one series in one write of its host, for the series' alerts child.</summary>
internal sealed class AlertPoints(long firstMs)
{
    private readonly List<long> _timestamps = [];
    private readonly List<double> _values = [];
    private List<Anomaly>? _findings;

    public long FirstMs => firstMs;

    public void Add(long timestampMs, double value, List<Anomaly>? findings)
    {
        _timestamps.Add(timestampMs);
        _values.Add(value);
        if (findings is { Count: > 0 }) (_findings ??= []).AddRange(findings);
    }

    public AlertProtocol.EvaluateAlerts ToMessage() => new([.. _timestamps], [.. _values], _findings?.ToArray() ?? []);
}
