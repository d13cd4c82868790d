using Perf.Actors.Series;

namespace Perf.Actors.Alerts;

/// <summary>
/// Between a <see cref="Hosts.HostActor"/> and its <see cref="AlertActor"/> children (same process, never serialized).
/// </summary>
public static class AlertProtocol
{
    /// <summary>The rules that match this series, sent on start and whenever the rule set changes.</summary>
    public sealed record UseRules(IReadOnlyList<AlertRule> Rules);

    /// <summary>Persisted points, in timestamp order, and the detector findings among them.</summary>
    public sealed record EvaluateAlerts(long[] Timestamps, double[] Values, Anomaly[] Findings);

    /// <summary>The child has recovered and evaluated every point up to <paramref name="EvaluatedUpToMs"/>: the parent sends
    /// the points after it that it still holds, so a crash leaves no gap.</summary>
    public sealed record AlertsReady(long EvaluatedUpToMs);

    /// <summary>A no-data rule is watching a series that sends nothing: the series must not be passivated meanwhile
    /// (see <see cref="Hosts.HostActor"/>, which keeps itself alive through its shard while one of its series is watched).</summary>
    public sealed record KeepSeriesAlive
    {
        public static readonly KeepSeriesAlive Instance = new();
    }

    /// <summary>Findings that arrive after their points (the host model's), for the anomaly rules only.</summary>
    public sealed record EvaluateFindings(Anomaly[] Findings);
}
