namespace Perf.Actors.Alerts;

/// <summary>
/// The rules in force on this node, read by every series actor on each write (one volatile read; a series re-resolves
/// its rules only when the version moved). Replaced as a whole when the rule book changes.
/// </summary>
public sealed class AlertRuleRegistry(IReadOnlyList<AlertRule> rules)
{
    private readonly object _gate = new();
    private volatile AlertRuleSet _current = new(1, rules);

    public AlertRuleSet Current => _current;

    public void Replace(IReadOnlyList<AlertRule> rules)
    {
        lock (_gate) _current = new AlertRuleSet(_current.Version + 1, rules);
    }
}
