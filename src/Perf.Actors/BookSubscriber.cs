using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace Perf.Actors;

/// <summary>
/// Keeps a node-local copy of a cluster singleton "book" (alert rules, API keys) current: subscribes to the book's topic
/// and asks the book for its view at start, again every few seconds until one arrives, so a node that joins late starts
/// with the right contents. <c>take</c> puts a view into the local copy; the copy ignores views older than its own.
/// </summary>
public sealed class BookSubscriber<TView> : ReceiveActor, IWithTimers where TView : class
{
    private static readonly TimeSpan AskInterval = TimeSpan.FromSeconds(2);
    private readonly IActorRef _book;
    private readonly object _question;
    private bool _answered;

    public BookSubscriber(IActorRef book, string topic, object question, Action<TView> take)
    {
        _book = book;
        _question = question;
        Receive<SubscribeAck>(_ => Ask());
        Receive<TView>(view =>
        {
            _answered = true;
            Timers.Cancel("ask");
            take(view);
        });
        Receive<AskAgain>(_ => Ask());
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(topic, Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef book, string topic, object question, Action<TView> take) =>
        Akka.Actor.Props.Create(() => new BookSubscriber<TView>(book, topic, question, take));

    private void Ask()
    {
        _book.Tell(_question);
        if (!_answered) Timers.StartSingleTimer("ask", AskAgain.Instance, AskInterval);
    }

    private sealed class AskAgain
    {
        public static readonly AskAgain Instance = new();
    }
}
