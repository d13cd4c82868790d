namespace Perf.Actors.Alerts;

/// <summary>Every alert rule in force, with a version that changes whenever one is added, edited or removed.</summary>
public sealed record AlertRuleSet(long Version, IReadOnlyList<AlertRule> Rules)
{
    /// <summary>The rules that watch series <paramref name="metric"/> of <paramref name="host"/>.</summary>
    public IReadOnlyList<AlertRule> For(string host, string metric) => Rules.Where(r => r.Matches(host, metric)).ToArray();
}
