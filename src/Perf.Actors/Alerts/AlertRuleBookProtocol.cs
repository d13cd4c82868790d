namespace Perf.Actors.Alerts;

/// <summary>Changes to and questions about the rule book (cluster singleton <c>alert-rules</c>), from any node.</summary>
public static class AlertRuleBookCommands
{
    /// <summary>Adds the rule or replaces the one with its id. Answered with <see cref="AlertRuleBookQueries.RuleBookView"/>.</summary>
    public sealed record SaveRule(AlertRule Rule) : IPerfMessage;

    /// <summary>Removes a rule (a default one too). Answered with <see cref="AlertRuleBookQueries.RuleBookView"/>, or
    /// <see cref="AlertRuleBookQueries.RuleNotFound"/>.</summary>
    public sealed record DeleteRule(string RuleId) : IPerfMessage;
}

public static class AlertRuleBookQueries
{
    public sealed record GetRules : IPerfMessage
    {
        public static readonly GetRules Instance = new();
    }

    /// <summary>The rules in force and their version; also what the rule book publishes to every node when it changes.</summary>
    public sealed record RuleBookView(long Version, AlertRule[] Rules) : IPerfMessage;

    public sealed record RuleNotFound(string RuleId) : IPerfMessage;
}

public static class AlertRuleBookEvents
{
    public sealed record RuleSaved(AlertRule Rule) : IPerfMessage;

    public sealed record RuleDeleted(string RuleId) : IPerfMessage;
}
