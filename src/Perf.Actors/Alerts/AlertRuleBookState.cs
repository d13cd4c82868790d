using static Perf.Actors.Alerts.AlertRuleBookEvents;

namespace Perf.Actors.Alerts;

/// <summary>
/// The rules in force: the defaults from configuration, with operators' changes on top (a saved rule replaces the rule
/// with its id, a deleted one is gone, defaults included). Pure; <see cref="Version"/> counts the changes applied.
/// </summary>
public sealed class AlertRuleBookState(IReadOnlyList<AlertRule> defaults)
{
    private readonly Dictionary<string, AlertRule?> _changes = []; // null: deleted

    public long Version { get; private set; }

    public AlertRule[] Rules =>
    [
        .. defaults.Where(d => !_changes.ContainsKey(d.Id)),
        .. _changes.Values.OfType<AlertRule>(),
    ];

    public bool Contains(string ruleId) => Rules.Any(r => r.Id == ruleId);

    public void Apply(object @event)
    {
        switch (@event)
        {
            case RuleSaved saved: _changes[saved.Rule.Id] = saved.Rule; break;
            case RuleDeleted deleted: _changes[deleted.RuleId] = null; break;
            default: throw new ArgumentException($"Unknown rule book event {@event.GetType().Name}", nameof(@event));
        }
        Version++;
    }
}
