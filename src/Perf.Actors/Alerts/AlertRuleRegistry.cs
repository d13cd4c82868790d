namespace Perf.Actors.Alerts;

/// <summary>
/// The rules in force on this node, read by every series actor on each write (one volatile read; a series re-resolves
/// its rules only when the version moved). Replaced as a whole when the rule book changes.
/// </summary>
public sealed class AlertRuleRegistry(IReadOnlyList<AlertRule> rules)
{
    private readonly object _gate = new();
    private volatile AlertRuleSet _current = new(1, rules);
    private long _bookVersion = -1;

    public AlertRuleSet Current => _current;

    /// <summary>The version of the rule book in use (-1 before the first).</summary>
    public long BookVersion => Interlocked.Read(ref _bookVersion);

    public void Replace(IReadOnlyList<AlertRule> rules)
    {
        lock (_gate) _current = new AlertRuleSet(_current.Version + 1, rules);
    }

    /// <summary>Takes the rule book's view unless a newer one is already in use (an older answer can arrive after a
    /// newer publication); false when it was older.</summary>
    public bool Use(AlertRuleBookQueries.RuleBookView view)
    {
        lock (_gate)
        {
            if (view.Version <= _bookVersion) return false;
            Interlocked.Exchange(ref _bookVersion, view.Version);
            _current = new AlertRuleSet(_current.Version + 1, view.Rules);
            return true;
        }
    }
}
