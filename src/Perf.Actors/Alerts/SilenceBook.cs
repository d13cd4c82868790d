using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;
using static Perf.Actors.Alerts.SilenceBookCommands;
using static Perf.Actors.Alerts.SilenceBookEvents;
using static Perf.Actors.Alerts.SilenceBookQueries;

namespace Perf.Actors.Alerts;

/// <summary>
/// Silences and acknowledgements of the cluster (singleton <c>silences</c>, persistence id <c>silences</c>). Every change
/// is persisted and then published on <see cref="Topic"/> for the notification dispatcher.
/// </summary>
public sealed class SilenceBook : ReceivePersistentActor
{
    public const string Topic = "silences";
    private readonly SilenceBookState _state = new();
    private readonly IActorRef _mediator;

    public SilenceBook()
    {
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Recover<SilenceCreated>(e => _state.Apply(e));
        Recover<SilenceExpired>(e => _state.Apply(e));
        Recover<AlertAcknowledged>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Publish());
        Command<GetSilences>(_ => Sender.Tell(_state.View()));
        Command<CreateSilence>(create => Persist(new SilenceCreated(create.Silence), Changed));
        Command<Acknowledge>(ack => Persist(new AlertAcknowledged(ack.Acknowledgement), Changed));
        Command<ExpireSilence>(expire =>
        {
            if (!_state.Contains(expire.SilenceId))
            {
                Sender.Tell(new SilenceNotFound(expire.SilenceId));
                return;
            }
            Persist(new SilenceExpired(expire.SilenceId, expire.AtMs), Changed);
        });
    }

    public override string PersistenceId => "silences";

    public static Props Props() => Akka.Actor.Props.Create(() => new SilenceBook());

    private void Changed(object @event)
    {
        _state.Apply(@event);
        Sender.Tell(_state.View());
        Publish();
    }

    private void Publish() => _mediator.Tell(new Publish(Topic, _state.View()));
}
