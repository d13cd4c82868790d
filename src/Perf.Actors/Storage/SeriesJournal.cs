using System.Collections.Immutable;
using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Perf.Actors.Storage;

/// <summary>
/// The journal of the series actors: an Akka.Persistence write journal on the node's database (SQLite or PostgreSQL), built for one job —
/// many small writes from many actors. Every write that arrives while a transaction is being committed joins the next
/// one (group commit across all series), through one connection with one prepared statement, so the cost per event is
/// a row insert instead of a round of the general SQL plugin's machinery (which ran out of CPU near 10,000 writes/s
/// here). Writes go through the database's <see cref="DatabaseWriter"/>. How the rows are laid out depends on the provider
/// (<see cref="IJournalRows"/>): an append-only log on a node's own SQLite file, rows keyed by (persistence id, sequence
/// number) on a cluster's PostgreSQL. Other actors keep using Akka.Persistence.Sql, whose tagged events and queries the alert stream needs.
/// </summary>
public sealed class SeriesJournal : AsyncWriteJournal
{
    public const string PluginId = "perf.series-journal";

    private readonly PluginDatabase _database;
    private readonly IJournalRows _rows;
    private readonly Akka.Serialization.Serialization _serialization;
    private bool _stopped;

    public SeriesJournal(Config config)
    {
        _database = new PluginDatabase(config, PluginId);
        _rows = _database.Database.Provider == StorageProvider.Sqlite ? new JournalLog(_database) : new KeyedJournalRows(_database);
        _serialization = Context.System.Serialization;
        var log = Context.GetLogger();
        var started = Stopwatch.GetTimestamp();
        _rows.Loaded.ContinueWith(loaded =>
        {
            if (loaded.IsFaulted) log.Error(loaded.Exception!.GetBaseException(), "The series journal could not be loaded: series cannot write or recover");
            else log.Info("Series journal ready in {0:F1} s ({1})", Stopwatch.GetElapsedTime(started).TotalSeconds, _rows.LoadProgress);
        }, TaskScheduler.Default);
        // After the shards have handed their series off (each snapshotted), before the database closes. An instance that
        // has stopped (the plugin restarted after a failure) leaves it to its successor's task.
        CoordinatedShutdown.Get(Context.System).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "series-journal-stopping",
            async () =>
            {
                if (!Volatile.Read(ref _stopped)) await _rows.StoppingAsync().ConfigureAwait(false);
                return Done.Instance;
            });
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        await _rows.AppendAsync(RowsOf(_serialization, messages), cancellationToken).ConfigureAwait(false);
        return null!; // all succeeded (a failed transaction throws and fails every write in it)
    }

    /// <summary>The journal rows of the writes: each event serialized with its manifest (also what the memory benchmark times).</summary>
    public static List<Row> RowsOf(Akka.Serialization.Serialization serialization, IEnumerable<AtomicWrite> messages)
    {
        var rows = new List<Row>();
        foreach (var write in messages)
        foreach (var representation in (IImmutableList<IPersistentRepresentation>)write.Payload)
        {
            var payload = representation.Payload;
            var serializer = serialization.FindSerializerFor(payload);
            rows.Add(new Row(representation.PersistenceId, representation.SequenceNr, serializer.Identifier,
                Akka.Serialization.Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload)));
        }
        return rows;
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        _rows.DeleteToAsync(persistenceId, toSequenceNr);

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0) return Task.CompletedTask;
        return _rows.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, row =>
        {
            var payload = _serialization.Deserialize(row.Payload, row.SerializerId, row.Manifest);
            recoveryCallback(new Persistent(payload, row.SequenceNr, persistenceId, row.Manifest, false, ActorRefs.NoSender));
        });
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        _rows.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);

    /// <summary>Readiness asks whether the journal can take writes yet (<see cref="GetLoadState"/>).</summary>
    protected override bool ReceivePluginInternal(object message)
    {
        if (message is not GetLoadState) return false;
        var loaded = _rows.Loaded;
        Sender.Tell(loaded.IsCompletedSuccessfully ? new LoadState(true, "loaded")
            : loaded.IsFaulted ? new LoadState(false, "series journal failed to load: " + loaded.Exception!.GetBaseException().Message)
            : new LoadState(false, _rows.LoadProgress));
        return true;
    }

    protected override void PostStop()
    {
        Volatile.Write(ref _stopped, true);
        _database.Dispose();
        base.PostStop();
    }

    /// <summary>Asks the journal (a local plugin actor) for its <see cref="LoadState"/>.</summary>
    public sealed record GetLoadState
    {
        public static readonly GetLoadState Instance = new();
    }

    /// <summary>Whether the journal takes writes yet, and if not, what it is doing.</summary>
    public sealed record LoadState(bool Loaded, string Detail);

    /// <summary>One event as the journal table stores it.</summary>
    public sealed record Row(string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Payload);
}
