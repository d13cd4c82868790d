using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Analytics.Compression;
using static Perf.Actors.Series.SeriesCommands;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Bench.Memory;

/// <summary>
/// Bytes allocated per operation by the pieces of one append, measured on one thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), each next to the cheaper variant proposed for it.
/// </summary>
public static class Micro
{
    private const int N = 50_000;

    public static List<(string Piece, double Bytes)> Run()
    {
        var results = new List<(string, double)>();
        void Measure(string piece, Action<int> op)
        {
            for (var i = 0; i < 2_000; i++) op(i); // warm-up and JIT
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < N; i++) op(i);
            results.Add((piece, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)N));
        }

        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const string id = "bench-0042/bench.m3";
        IActorRef sender = ActorRefs.Nobody;

        Measure("AppendPoints message (1 point)", i => Keep(new AppendPoints(id, [t0 + i], [i])));

        // SeriesActor.Command<AppendPoints> + Flush, up to Decide: the waiting list, its swap and ConvertAll.
        var append = new AppendPoints(id, [t0], [1.0]);
        Measure("SeriesActor: _waiting = [] + Add + ConvertAll", _ =>
        {
            List<(AppendPoints Append, IActorRef ReplyTo)> waiting = [];
            waiting.Add((append, sender));
            Keep(waiting.ConvertAll(w => w.Append));
        });

        var state = new SeriesState();
        var appends = new List<AppendPoints>(1);
        Measure("SeriesState.Decide (1 append, 1 point)", i =>
        {
            appends.Clear();
            appends.Add(new AppendPoints(id, [t0 + i], [i]));
            Keep(state.Decide(appends, 300_000));
        });
        // Decide allocates the AppendPoints above too; measure it apart and subtract.
        var decide = results[^1].Item2 - results[0].Item2;
        results[^1] = (results[^1].Item1, decide);

        Measure("proposed Decide fast path (in order, one append: reuse its arrays)", i =>
        {
            var a = appends[0];
            Keep(DecideFast(a, long.MinValue, 300_000));
        });

        // PersistAsync's closure + delegate in Flush (captures batch, rejected, started, this).
        Measure("Flush: PersistAsync callback closure + delegate", i =>
        {
            var batch = appends;
            var rejected = ZeroRejected;
            var started = (long)i;
            Action<PointsRecorded> handler = e => Keep((batch, rejected, started, e));
            Keep(handler);
        });

        var encoder = new GorillaChunkEncoder();
        Measure("SeriesState.Apply -> head encoder Append (amortized over 120-point heads)", i =>
        {
            if (i % 120 == 0) encoder = new GorillaChunkEncoder();
            encoder.Append(t0 + i * 10_000L, Math.Round(Math.Sin(i) * 100, 2));
        });

        using var system = ActorSystem.Create("micro", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var serializer = new PerfSerializer((ExtendedActorSystem)system);
        var recorded = new PointsRecorded([t0], [42.5]);
        Measure("PerfSerializer.ToBinary(PointsRecorded, 1 point)", _ => Keep(serializer.ToBinary(recorded)));
        Measure("proposed: cached MemoryStream+BinaryWriter per thread, same bytes", _ => Keep(ToBinaryCached(recorded)));
        Measure("proposed: exact-size array, no streams (encoder + 1 array)", _ => Keep(ToBinaryExact(recorded)));
        if (!serializer.ToBinary(recorded).AsSpan().SequenceEqual(ToBinaryExact(recorded)) ||
            !serializer.ToBinary(recorded).AsSpan().SequenceEqual(ToBinaryCached(recorded)))
            throw new InvalidOperationException("proposed serializers differ from PerfSerializer");

        // What SqliteSeriesJournal.WriteMessagesAsync walks: an AtomicWrite whose payload is an immutable list.
        var write = new AtomicWrite(new Persistent(recorded, 1, "series-" + id, "SE1", false, sender, "w"));
        Measure("journal: foreach over AtomicWrite.Payload (IImmutableList enumerator)", _ =>
        {
            foreach (var representation in (IImmutableList<IPersistentRepresentation>)write.Payload) Keep(representation);
        });
        Measure("journal: List<Row> + Row + PendingWrite + TaskCompletionSource", _ =>
        {
            var rows = new List<object> { new Row("series-" + id, 1, 4717, "SE1", Array.Empty<byte>()) };
            Keep(new PendingWrite(rows, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        });

        // The writer loop's per-row work: bind five parameters (boxing the numbers) and run the prepared INSERT.
        var db = Path.Combine(Path.GetTempPath(), "perf-bench-micro-" + Guid.NewGuid().ToString("N") + ".db");
        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using (var ddl = connection.CreateCommand())
            {
                ddl.CommandText = """
                    PRAGMA journal_mode = WAL; PRAGMA synchronous = normal;
                    CREATE TABLE series_journal (persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, serializer_id INTEGER NOT NULL,
                      manifest TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (persistence_id, sequence_nr)) WITHOUT ROWID;
                    """;
                ddl.ExecuteNonQuery();
            }
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES ($id, $seq, $ser, $man, $payload)";
            var pId = insert.Parameters.Add("$id", SqliteType.Text);
            var pSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var pSer = insert.Parameters.Add("$ser", SqliteType.Integer);
            var pMan = insert.Parameters.Add("$man", SqliteType.Text);
            var pPayload = insert.Parameters.Add("$payload", SqliteType.Blob);
            var payload = serializer.ToBinary(recorded);
            var ids = Enumerable.Range(0, 1000).Select(k => "series-" + Child.EntityId("bench", k)).ToArray();
            SqliteTransaction? tx = null;
            var seqNr = 0L;
            Measure("SQLite: bind + prepared INSERT per row (transaction per 1000 rows)", i =>
            {
                if (i % 1000 == 0)
                {
                    tx?.Commit();
                    tx?.Dispose();
                    tx = connection.BeginTransaction();
                    insert.Transaction = tx;
                    seqNr++;
                }
                (pId.Value, pSeq.Value, pSer.Value, pMan.Value, pPayload.Value) = (ids[i % 1000], seqNr, 4717, "SE1", payload);
                insert.ExecuteNonQuery();
            });
            tx?.Commit();
            tx?.Dispose();
            tx = null;

            // The same row through one prepared SQLitePCL statement: bind, step, reset; only the UTF-8 of the persistence id allocates.
            var db3 = connection.Handle!;
            Check(SQLitePCL.raw.sqlite3_prepare_v2(db3,
                "INSERT INTO series_journal (persistence_id, sequence_nr, serializer_id, manifest, payload) VALUES (?1, ?2, ?3, ?4, ?5)", out var stmt));
            var manifest = "SE1"u8.ToArray();
            var inTransaction = false;
            Measure("proposed: raw SQLitePCL prepared statement per row (bind/step/reset)", i =>
            {
                if (i % 1000 == 0)
                {
                    if (inTransaction) Check(SQLitePCL.raw.sqlite3_exec(db3, "COMMIT"));
                    Check(SQLitePCL.raw.sqlite3_exec(db3, "BEGIN"));
                    inTransaction = true;
                    seqNr++;
                }
                Check(SQLitePCL.raw.sqlite3_bind_text(stmt, 1, ids[i % 1000]));
                Check(SQLitePCL.raw.sqlite3_bind_int64(stmt, 2, seqNr));
                Check(SQLitePCL.raw.sqlite3_bind_int(stmt, 3, 4717));
                Check(SQLitePCL.raw.sqlite3_bind_text(stmt, 4, manifest.AsSpan()));
                Check(SQLitePCL.raw.sqlite3_bind_blob(stmt, 5, payload.AsSpan()));
                if (SQLitePCL.raw.sqlite3_step(stmt) != SQLitePCL.raw.SQLITE_DONE) throw new InvalidOperationException(SQLitePCL.raw.sqlite3_errmsg(db3).utf8_to_string());
                Check(SQLitePCL.raw.sqlite3_reset(stmt));
            });
            Check(SQLitePCL.raw.sqlite3_exec(db3, "COMMIT"));
            Check(SQLitePCL.raw.sqlite3_finalize(stmt));

            void Check(int rc)
            {
                if (rc != SQLitePCL.raw.SQLITE_OK) throw new InvalidOperationException($"sqlite rc {rc}: " + SQLitePCL.raw.sqlite3_errmsg(db3).utf8_to_string());
            }
        }
        SqliteConnection.ClearAllPools();
        File.Delete(db);

        Measure("AppendResult reply", i => Keep(new AppendResult(1, 0)));

        // Per entity start (transient): the Props the sharding factory builds for each entity.
        var settings = new Perf.Actors.Configuration.SeriesSettings(100, 120, TimeSpan.FromHours(2), TimeSpan.FromMinutes(2), TimeSpan.FromDays(30), TimeSpan.FromMinutes(5));
        Measure("per entity start: SeriesActor.Props(entityId, ...) (expression Props)", _ => Keep(SeriesActor.Props(id, settings, null!, TimeProvider.System)));
        Measure("per entity start: Props.Create<T>(args) (no expression)", _ => Keep(Props.Create<SeriesActor>(id, settings, null!, TimeProvider.System)));
        Measure("per entity: Guid.NewGuid().ToString() (Eventsourced writer id)", _ => Keep(Guid.NewGuid().ToString()));
        Measure("per entity: Logging.GetLogger(system, <entity path>) (BusLogging + source)", _ =>
            Keep(Akka.Event.Logging.GetLogger(system, "akka.tcp://perf@127.0.0.1:41351/system/sharding/series/42/bench-0042%2Fbench.m3")));
        return results;
    }

    private static readonly int[] ZeroRejected = [0];

    /// <summary>
    /// The common case of <see cref="SeriesState.Decide"/>: one append whose timestamps ascend strictly and are all within the
    /// tolerance. The event can reuse the append's arrays (messages are immutable by convention) and the shared "none rejected".
    /// </summary>
    public static (PointsRecorded? Event, int[] Rejected) DecideFast(AppendPoints append, long newest, long toleranceMs)
    {
        var ts = append.Timestamps;
        for (var i = 0; i < ts.Length; i++)
        {
            if (i > 0 && ts[i] <= ts[i - 1]) return (null, null!); // fall back to the general path
            if (newest != long.MinValue && ts[i] < newest - toleranceMs) return (null, null!);
        }
        return (new PointsRecorded(ts, append.Values), ZeroRejected);
    }

    [ThreadStatic] private static MemoryStream? _stream;
    [ThreadStatic] private static BinaryWriter? _writer;

    private static byte[] ToBinaryCached(PointsRecorded m)
    {
        var stream = _stream ??= new MemoryStream(256);
        var writer = _writer ??= new BinaryWriter(stream);
        stream.SetLength(0);
        var encoder = new GorillaChunkEncoder();
        for (var i = 0; i < m.Timestamps.Length; i++) encoder.Append(m.Timestamps[i], m.Values[i]);
        var chunk = encoder.ToArray();
        writer.Write7BitEncodedInt(chunk.Length);
        writer.Write(chunk);
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>Same bytes as PerfSerializer's "SE1": varint length + Gorilla chunk. With an encoder that could write its chunk
    /// into a caller's span (a small GorillaChunkEncoder addition) the intermediate chunk array would go too.</summary>
    private static byte[] ToBinaryExact(PointsRecorded m)
    {
        var encoder = new GorillaChunkEncoder();
        for (var i = 0; i < m.Timestamps.Length; i++) encoder.Append(m.Timestamps[i], m.Values[i]);
        var chunk = encoder.ToArray();
        Span<byte> length = stackalloc byte[5];
        var prefix = 0;
        for (var v = (uint)chunk.Length; ; v >>= 7)
        {
            length[prefix++] = (byte)(v >= 0x80 ? (v & 0x7F) | 0x80 : v);
            if (v < 0x80) break;
        }
        var result = new byte[prefix + chunk.Length];
        length[..prefix].CopyTo(result);
        chunk.CopyTo(result.AsSpan(prefix));
        return result;
    }

    private sealed record Row(string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Payload);
    private sealed record PendingWrite(List<object> Rows, TaskCompletionSource Done);

    private static object? _sink;
    private static void Keep(object? o) => _sink = o;
}
