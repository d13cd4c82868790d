using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using static Perf.Actors.Alerts.AlertRuleBookCommands;
using static Perf.Actors.Alerts.AlertRuleBookEvents;
using static Perf.Actors.Alerts.AlertRuleBookQueries;

namespace Perf.Actors.Alerts;

/// <summary>
/// The alert rules of the cluster (singleton <c>alert-rules</c>, persistence id <c>alert-rules</c>): every change is
/// persisted and then published on <see cref="Topic"/>, where each node's <see cref="BookSubscriber{TView}"/> puts it into
/// its <see cref="AlertRuleRegistry"/>, so live series pick the new rules up on their next point without a restart.
/// </summary>
public sealed class AlertRuleBook : ReceivePersistentActor
{
    public const string Topic = "alert-rules";
    private readonly AlertRuleBookState _state;
    private readonly IActorRef _mediator;

    public AlertRuleBook(IReadOnlyList<AlertRule> defaults)
    {
        _state = new AlertRuleBookState(defaults);
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Recover<RuleSaved>(e => _state.Apply(e));
        Recover<RuleDeleted>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Publish());
        Command<GetRules>(_ => Sender.Tell(View()));
        Command<SaveRule>(save => Persist(new RuleSaved(save.Rule), Changed));
        Command<DeleteRule>(delete =>
        {
            if (!_state.Contains(delete.RuleId))
            {
                Sender.Tell(new RuleNotFound(delete.RuleId));
                return;
            }
            Persist(new RuleDeleted(delete.RuleId), Changed);
        });
    }

    public override string PersistenceId => "alert-rules";

    public static Props Props(IReadOnlyList<AlertRule> defaults) => Akka.Actor.Props.Create(() => new AlertRuleBook(defaults));

    private void Changed(object @event)
    {
        _state.Apply(@event);
        Sender.Tell(View());
        Publish();
    }

    private RuleBookView View() => new(_state.Version, _state.Rules);

    private void Publish() => _mediator.Tell(new Publish(Topic, View()));
}
