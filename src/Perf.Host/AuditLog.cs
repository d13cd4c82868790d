using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Security;

namespace Perf.Host;

/// <summary>
/// Reads the audit trail: every <see cref="AuditEntry"/> in the order the journal stored it, by tag through
/// Akka.Persistence.Query, from any node. An entry's offset is its position, so pages resume exactly after the last one.
/// </summary>
public sealed class AuditLog(ActorSystem system)
{
    private SqlReadJournal Journal => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    /// <summary>The entries stored after <paramref name="afterOffset"/> (0: from the beginning), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<AuditLogEntry>> ReadAsync(long afterOffset, int limit, CancellationToken cancellationToken = default) =>
        await Journal.CurrentEventsByTag(AuditTrail.Tag, Offset.Sequence(afterOffset))
            .Select(e => new AuditLogEntry(((Sequence)e.Offset).Value, (AuditEntry)e.Event))
            .Take(limit)
            .RunWith(Sink.Seq<AuditLogEntry>(), system.Materializer()).WaitAsync(cancellationToken).ConfigureAwait(false);
}

/// <param name="Offset">the entry's position in the journal: pass it as <c>after</c> to read the next page.</param>
public sealed record AuditLogEntry(long Offset, AuditEntry Entry);
