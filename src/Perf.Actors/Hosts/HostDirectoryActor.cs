using Akka.Actor;
using Akka.Persistence;
using static Perf.Actors.Hosts.HostDirectoryCommands;
using static Perf.Actors.Hosts.HostDirectoryEvents;
using static Perf.Actors.Hosts.HostDirectoryQueries;

namespace Perf.Actors.Hosts;

/// <summary>
/// The list of every host that has stored a series (a cluster singleton): sharding only knows the entities that are
/// running, and analysts want all of them.
/// </summary>
public sealed class HostDirectoryActor : ReceivePersistentActor
{
    private const int SnapshotEvery = 500;
    private readonly SortedSet<string> _hosts = new(StringComparer.Ordinal);

    public HostDirectoryActor()
    {
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is HostDirectorySnapshot snapshot) _hosts.UnionWith(snapshot.Hosts);
        });
        Recover<HostAdded>(e => _hosts.Add(e.Host));

        Command<AddHost>(add =>
        {
            if (_hosts.Contains(add.Host))
            {
                Sender.Tell(new HostListed(add.Host));
                return;
            }
            var replyTo = Sender;
            Persist(new HostAdded(add.Host), e =>
            {
                _hosts.Add(e.Host);
                replyTo.Tell(new HostListed(e.Host));
                if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(new HostDirectorySnapshot(_hosts.ToArray()));
            });
        });
        Command<ListHosts>(_ => Sender.Tell(new HostList(_hosts.ToArray())));
        Command<SaveSnapshotSuccess>(saved => DeleteMessages(saved.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
    }

    public override string PersistenceId => "host-directory";

    public static Props Props() => Akka.Actor.Props.Create(() => new HostDirectoryActor());
}
