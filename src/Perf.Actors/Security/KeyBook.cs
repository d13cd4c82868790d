using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence;
using static Perf.Actors.Security.KeyBookCommands;
using static Perf.Actors.Security.KeyBookEvents;
using static Perf.Actors.Security.KeyBookQueries;

namespace Perf.Actors.Security;

/// <summary>
/// The API keys of the cluster (singleton <c>api-keys</c>, persistence id <c>api-keys</c>): every change is persisted,
/// then published on <see cref="Topic"/> so every node's <see cref="ApiKeyRegistry"/> authenticates with the current
/// keys. On a fresh database with no admin key configured it creates the first admin key and prints it, once, to the
/// console (not to the log: key material never goes into logs).
/// </summary>
public sealed class KeyBook : ReceivePersistentActor
{
    public const string Topic = "api-keys";
    private readonly KeyBookState _state = new();
    private readonly IActorRef _mediator;
    private readonly bool _createFirstAdminKey;
    private readonly TimeProvider _clock;

    public KeyBook(bool createFirstAdminKey, TimeProvider clock)
    {
        _createFirstAdminKey = createFirstAdminKey;
        _clock = clock;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Recover<KeyCreated>(e => _state.Apply(e));
        Recover<KeyRevoked>(e => _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Started());
        Command<GetKeys>(_ => Sender.Tell(View()));
        Command<CreateKey>(create => Persist(new KeyCreated(create.Key), Changed));
        Command<RevokeKey>(revoke =>
        {
            if (_state.Find(revoke.KeyId) is null)
            {
                Sender.Tell(new KeyNotFound(revoke.KeyId));
                return;
            }
            Persist(new KeyRevoked(revoke.KeyId, revoke.RevokedBy, revoke.AtMs), Changed);
        });
    }

    public override string PersistenceId => "api-keys";

    public static Props Props(bool createFirstAdminKey, TimeProvider clock) => Akka.Actor.Props.Create(() => new KeyBook(createFirstAdminKey, clock));

    private void Started()
    {
        if (_state.Version > 0 || !_createFirstAdminKey)
        {
            Publish();
            return;
        }
        var (id, token, salt, hash) = ApiKeySecret.Generate();
        var key = new ApiKey(id, "first admin key", Role.Admin, [], null, salt, hash, _clock.GetUtcNow().ToUnixTimeMilliseconds(), "perf");
        Persist(new KeyCreated(key), e =>
        {
            _state.Apply(e);
            Console.Error.WriteLine($"""

                Perf created the first admin API key of this data directory. It is shown only this once; keep it:

                    {token}

                Send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>". Create other keys with POST /api/v1/admin/keys.

                """);
            Publish();
        });
    }

    private void Changed(object @event)
    {
        _state.Apply(@event);
        Sender.Tell(View());
        Publish();
    }

    private KeyBookView View() => new(_state.Version, [.. _state.Keys]);

    private void Publish() => _mediator.Tell(new Publish(Topic, View()));
}
