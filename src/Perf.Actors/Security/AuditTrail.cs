using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Perf.Actors.Security;

/// <summary>
/// The audit trail (singleton <c>audit</c>, persistence id <c>audit</c>): persists each <see cref="AuditEntry"/> tagged
/// <see cref="Tag"/> and answers <see cref="Recorded"/> once it is stored, so a change is acknowledged to its author
/// only after it is on record. Readers use the tag query (any node, any time), never this actor.
/// </summary>
public sealed class AuditTrail : ReceivePersistentActor
{
    public const string Tag = "audit";

    public AuditTrail()
    {
        // Nothing to rebuild: replay only restores the sequence number.
        Recover<AuditEntry>(_ => { });
        Command<AuditEntry>(entry => Persist(new Tagged(entry, [Tag]), _ => Sender.Tell(Recorded.Instance)));
    }

    public override string PersistenceId => "audit";

    public static Props Props() => Akka.Actor.Props.Create(() => new AuditTrail());

    /// <summary>The answer to an <see cref="AuditEntry"/>: it is in the journal.</summary>
    public sealed record Recorded : IPerfMessage
    {
        public static readonly Recorded Instance = new();
    }
}
