using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using static Perf.Actors.Security.KeyBookQueries;

namespace Perf.Actors.Security;

/// <summary>
/// Keeps this node's <see cref="ApiKeyRegistry"/> in step with the key book: subscribes to its topic and asks it for the
/// current keys at start (and again until it answers), so a node that joins late authenticates with the right keys.
/// </summary>
public sealed class KeyBookSubscriber : ReceiveActor, IWithTimers
{
    private readonly ApiKeyRegistry _registry;
    private readonly IActorRef _book;

    public KeyBookSubscriber(ApiKeyRegistry registry, IActorRef book)
    {
        _registry = registry;
        _book = book;
        Receive<SubscribeAck>(_ => Ask());
        Receive<KeyBookView>(view =>
        {
            _registry.Use(view);
            Timers.Cancel("ask");
        });
        Receive<AskAgain>(_ => Ask());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ApiKeyRegistry registry, IActorRef book) => Akka.Actor.Props.Create(() => new KeyBookSubscriber(registry, book));

    protected override void PreStart() => DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(KeyBook.Topic, Self));

    private void Ask()
    {
        _book.Tell(GetKeys.Instance);
        if (!_registry.Loaded) Timers.StartSingleTimer("ask", AskAgain.Instance, TimeSpan.FromSeconds(2));
    }

    private sealed class AskAgain
    {
        public static readonly AskAgain Instance = new();
    }
}
