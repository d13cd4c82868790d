using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using static Perf.Actors.Alerts.AlertRuleBookQueries;

namespace Perf.Actors.Alerts;

/// <summary>
/// Keeps this node's <see cref="AlertRuleRegistry"/> in step with the rule book: subscribes to its topic and asks it for
/// the current rules at start (and again until it answers), so a node that joins late starts with the right rules.
/// </summary>
public sealed class AlertRuleSubscriber : ReceiveActor, IWithTimers
{
    private readonly AlertRuleRegistry _registry;
    private readonly IActorRef _book;
    private long _version = -1;

    public AlertRuleSubscriber(AlertRuleRegistry registry, IActorRef book)
    {
        _registry = registry;
        _book = book;
        Receive<SubscribeAck>(_ => Ask());
        Receive<RuleBookView>(Use);
        Receive<AskAgain>(_ => Ask());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(AlertRuleRegistry registry, IActorRef book) => Akka.Actor.Props.Create(() => new AlertRuleSubscriber(registry, book));

    protected override void PreStart() => DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(AlertRuleBook.Topic, Self));

    private void Ask()
    {
        _book.Tell(GetRules.Instance);
        if (_version < 0) Timers.StartSingleTimer("ask", AskAgain.Instance, TimeSpan.FromSeconds(5));
    }

    private void Use(RuleBookView view)
    {
        if (view.Version <= _version) return; // an older answer arriving after a newer publication
        _version = view.Version;
        Timers.Cancel("ask");
        _registry.Replace(view.Rules);
        Context.GetLogger().Info("Alert rules version {0}: {1} rules", view.Version, view.Rules.Length);
    }

    private sealed class AskAgain
    {
        public static readonly AskAgain Instance = new();
    }
}
