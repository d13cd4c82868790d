using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Perf.Actors.Storage;

namespace Perf.Bench.Memory;

/// <summary>
/// Journals that stop part-way, to split the cost of a persisted event: <see cref="NullJournal"/> is Akka.Persistence's own
/// machinery only (Eventsourced + AsyncWriteJournal); <see cref="SerializeOnlyJournal"/> adds what SeriesJournal
/// does before its row inserts: serializing, the rows, and the hand-off to the database's <see cref="DatabaseWriter"/> and its
/// group commit, with a unit of work that inserts nothing.
/// </summary>
public sealed class NullJournal : AsyncWriteJournal
{
    public const string PluginId = "bench.null-journal";
    private static readonly Task<IImmutableList<Exception?>> Done = Task.FromResult<IImmutableList<Exception?>>(null!);

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken) => Done;
    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) => Task.CompletedTask;
    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback) => Task.CompletedTask;
    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) => Task.FromResult(0L);
}

public sealed class SerializeOnlyJournal : AsyncWriteJournal
{
    public const string PluginId = "bench.serialize-journal";
    private readonly Akka.Serialization.Serialization _serialization = Context.System.Serialization;
    private readonly DatabaseWriter.Lease _writer;

    public SerializeOnlyJournal()
    {
        // The writer of the node's database, shared with the real series journal (its plugin config names the database).
        var series = Context.System.Settings.Config.GetConfig(SeriesJournal.PluginId);
        _writer = DatabaseWriter.Acquire(SeriesDatabase.Sqlite(series.GetString("connection-string"), series.GetString("synchronous", "full")));
    }

    // SeriesJournal.WriteMessagesAsync, with its AppendRows work replaced by one that writes nothing.
    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        await _writer.Writer.WriteAsync(new InsertNothing(SeriesJournal.RowsOf(_serialization, messages))).ConfigureAwait(false);
        return null!;
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) => Task.CompletedTask;
    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback) => Task.CompletedTask;
    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) => Task.FromResult(0L);

    protected override void PostStop()
    {
        _writer.Dispose();
        base.PostStop();
    }


    private sealed class InsertNothing(List<SeriesJournal.Row> rows) : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements) => GC.KeepAlive(rows);
    }
}

public static class BenchJournals
{
    public static Config Hocon => ConfigurationFactory.ParseString($$"""
        {{NullJournal.PluginId}} {
          class = "{{typeof(NullJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        {{SerializeOnlyJournal.PluginId}} {
          class = "{{typeof(SerializeOnlyJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """);
}
