using System.Collections;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Perf.Actors.Ingestion;
using Perf.Actors.Serialization;
using Perf.Actors.Alerts;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using Perf.Host;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Memory;

/// <summary>
/// Bytes allocated per operation by the pieces of one append, each through the product's own code, measured on one thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>). Settings are the product's (hocon/ via PerfConfiguration.Load).
/// </summary>
public static class Micro
{
    private const int N = 50_000;

    public static List<(string Piece, double Bytes)> Run()
    {
        var results = new List<(string, double)>();
        void Measure(string piece, Action<int> op, int count = N)
        {
            for (var i = 0; i < 2_000; i++) op(i); // warm-up and JIT
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < count; i++) op(i);
            results.Add((piece, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)count));
        }

        var dataDir = Path.Combine(Path.GetTempPath(), "perf-bench-micro-" + Guid.NewGuid().ToString("N"));
        var (_, perf) = PerfConfiguration.Load(dataDir, new Hashtable(), Path.Combine(AppContext.BaseDirectory, "hocon"));
        var settings = perf.Engine.Series;
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const string id = "bench-0042/bench.m3";
        IActorRef sender = ActorRefs.Nobody;

        Measure("AppendPoints message (1 point)", i => Keep(new AppendPoints(id, [t0 + i], [i], i)));

        // SeriesActor.Flush hands its waiting list to Decide with a selector; a single waiting append is the common case.
        var state = new SeriesState();
        List<(AppendPoints Append, IActorRef ReplyTo)> batch = [(new AppendPoints(id, [t0], [1.0]), sender)];
        Measure("SeriesState.Decide (1 waiting append, 1 point), as SeriesActor calls it", _ =>
            Keep(state.Decide(batch, static w => w.Append, settings.OutOfOrderToleranceMs)));

        var events = Enumerable.Range(0, settings.ChunkMaxPoints).Select(k => new PointsRecorded([t0 + k * 10_000L], [Math.Round(Math.Sin(k) * 100, 2)])).ToArray();
        Measure($"SeriesState.Apply(PointsRecorded) into the head (a new state per {settings.ChunkMaxPoints} points, amortized)", i =>
        {
            if (i % events.Length == 0) state = new SeriesState();
            state.Apply(events[i % events.Length]);
        });

        using var system = ActorSystem.Create("micro", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var serializer = new PerfSerializer((ExtendedActorSystem)system);
        var recorded = new PointsRecorded([t0], [42.5]);
        Measure("PerfSerializer.ToBinary(PointsRecorded, 1 point)", _ => Keep(serializer.ToBinary(recorded)));

        // The database writer behind SeriesJournal and SeriesSnapshotStore, on its own temporary SQLite database.
        Directory.CreateDirectory(dataDir);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDir, "micro.db"), Pooling = true }.ToString();
        var database = SeriesDatabase.Sqlite(connectionString, "normal");
        database.CreateSchema();
        using (var lease = DatabaseWriter.Acquire(database))
        {
            var writer = lease.Writer;
            var pending = new List<Task>(N + 2_000);
            Measure("DatabaseWriter.WriteAsync hand-off, writer's caller side (unit of work + its TaskCompletionSource, queue)", _ =>
                pending.Add(writer.WriteAsync(new Nothing())));
            Task.WaitAll(pending);

            var payload = serializer.ToBinary(recorded);
            var ids = Enumerable.Range(0, 1000).Select(k => SeriesActor.PersistenceIdOf(Child.EntityId("bench", k))).ToArray();
            var insert = new InsertRows(ids, payload, serializer.Identifier, serializer.Manifest(recorded), N);
            writer.WriteAsync(insert).Wait();
            results.Add(("DatabaseWriter: SQLite insert of one journal row (prepared statement, on the writer's thread)", insert.BytesPerRow));
        }
        SqliteConnection.ClearAllPools();

        Measure("AppendResult reply", i => Keep(new AppendResult(1, 0, i)));

        // IngestionPipeline: one deadline and one AppendAcknowledgements request per ingest request (not per append).
        var acknowledgements = new AppendAcknowledgements(system);
        Measure("per request: CancellationTokenSource deadline + AppendAcknowledgements.Begin/Dispose (1,000 appends)", _ =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var request = acknowledgements.Begin(1_000, deadline.Token);
            Keep(request);
        }, 5_000);

        // Per entity start (transient, or kept for the actor's life): what the node builds for each series it starts.
        Measure("per entity start: SeriesActor.Props(entityId, ...)", _ => Keep(SeriesActor.Props(id, settings, perf.Engine.Detection,
            new SeriesAlerting(new AlertRuleRegistry(perf.Alerts.DefaultRules), perf.Alerts.Flapping,
                new NoDataSettings(perf.Performance.CollectionInterval, perf.Engine.Series.PassivateAfter)), null!, TimeProvider.System)));
        Measure("per entity: Guid.NewGuid().ToString() (Eventsourced writer id)", _ => Keep(Guid.NewGuid().ToString()));
        Measure("per entity: Logging.GetLogger(system, <entity path>) (Eventsourced's Log: BusLogging + source)", _ =>
            Keep(Akka.Event.Logging.GetLogger(system, "akka.tcp://perf@127.0.0.1:41351/system/sharding/series/42/bench-0042%2Fbench.m3")));

        try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        return results;
    }

    private sealed class Nothing : DatabaseWork
    {
        public override void Execute(DatabaseStatements statements) { }
    }

    /// <summary>
    /// Inserts <paramref name="count"/> journal rows the way SeriesJournal's (private) AppendRows work does: one
    /// prepared statement from <see cref="DatabaseStatements"/>, five parameters set per row. Measures on the writer's thread.
    /// </summary>
    private sealed class InsertRows(string[] ids, byte[] payload, int serializerId, string manifest, int count) : DatabaseWork
    {
        private const string Sql = "INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES (@id, @seq, @ser, @man, @payload)";

        public double BytesPerRow { get; private set; }

        public override void Execute(DatabaseStatements statements)
        {
            var insert = statements.Command(Sql, ("@id", System.Data.DbType.String), ("@seq", System.Data.DbType.Int64), ("@ser", System.Data.DbType.Int32), ("@man", System.Data.DbType.String), ("@payload", System.Data.DbType.Binary));
            var p = insert.Parameters;
            void Row(int i)
            {
                (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value) = (ids[i % ids.Length], (long)(i / ids.Length), serializerId, manifest, payload);
                insert.ExecuteNonQuery();
            }
            for (var i = 0; i < 2_000; i++) Row(i); // warm-up and JIT
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 2_000; i < 2_000 + count; i++) Row(i);
            BytesPerRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)count;
        }
    }

    private static object? _sink;
    private static void Keep(object? o) => _sink = o;
}
