using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Perf.Actors.Alerts;
using static Perf.Actors.Alerts.AlertEvents;

namespace Perf.Host;

/// <summary>
/// The alert log: every <see cref="AlertTransitioned"/> of every series, in the order the journal stored them, read by
/// tag through Akka.Persistence.Query. Each entry's offset is its position in the journal, so a reader that remembers
/// the last offset it saw resumes exactly after it, on any node and across restarts. One per node: its followers share
/// one live query (<see cref="AlertLogFeed"/>).
/// </summary>
public sealed class AlertLog
{
    private readonly ActorSystem _system;
    private readonly AlertLogFeed _feed;

    public AlertLog(ActorSystem system)
    {
        _system = system;
        _feed = new AlertLogFeed(system.Materializer(), Stored, after => Journal.EventsByTag(Tag, Offset.Sequence(after)).Select(Entry));
    }

    private SqlReadJournal Journal => PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    /// <summary>The entries stored so far after <paramref name="afterOffset"/> (0: from the beginning).</summary>
    public async Task<IReadOnlyList<AlertLogEntry>> ReadAsync(long afterOffset = 0, CancellationToken cancellationToken = default)
    {
        var entries = await Stored(afterOffset)
            .RunWith(Sink.Seq<AlertLogEntry>(), _system.Materializer()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries;
    }

    /// <summary>The entries after <paramref name="afterOffset"/>, then every new one as it is stored (see
    /// <see cref="AlertLogFeed.Follow"/>).</summary>
    public Source<AlertLogEntry, NotUsed> Follow(long afterOffset) => _feed.Follow(afterOffset);

    private Source<AlertLogEntry, NotUsed> Stored(long afterOffset) => Journal.CurrentEventsByTag(Tag, Offset.Sequence(afterOffset)).Select(Entry);

    private static AlertLogEntry Entry(EventEnvelope envelope) =>
        new(((Sequence)envelope.Offset).Value, (AlertTransitioned)envelope.Event);
}

/// <param name="Offset">the entry's position in the log (the SSE event id).</param>
public sealed record AlertLogEntry(long Offset, AlertTransitioned Transition);
