namespace Perf.Actors.Alerts;

/// <summary>The persisted form of an <see cref="AlertActor"/>: how far it has evaluated and each rule's state machine.</summary>
public sealed record AlertActorSnapshot(long EvaluatedUpToMs, RuleEvaluatorState[] Rules) : IPerfMessage;
