using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Perf.Bench.Memory;

/// <summary>
/// Journals that stop part-way, to split the cost of a persisted event: <see cref="NullJournal"/> is Akka.Persistence's own
/// machinery only (Eventsourced + AsyncWriteJournal), <see cref="SerializeOnlyJournal"/> adds what SqliteSeriesJournal does
/// before its SQLite writer (serializer, rows, the hand-off task) without writing.
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

    // Same body as SqliteSeriesJournal.WriteMessagesAsync up to the hand-off to its writer loop, which completes at once here.
    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        foreach (var write in messages)
        foreach (var representation in (IImmutableList<IPersistentRepresentation>)write.Payload)
        {
            var payload = representation.Payload;
            var serializer = _serialization.FindSerializerFor(payload);
            rows.Add(new Row(representation.PersistenceId, representation.SequenceNr, serializer.Identifier,
                Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload)));
        }
        var pending = new PendingWrite(rows, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _ = Task.Run(() => pending.Done.TrySetResult());
        await pending.Done.Task.ConfigureAwait(false);
        return null!;
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) => Task.CompletedTask;
    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback) => Task.CompletedTask;
    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) => Task.FromResult(0L);

    private sealed record Row(string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Payload);
    private sealed record PendingWrite(List<Row> Rows, TaskCompletionSource Done);
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
