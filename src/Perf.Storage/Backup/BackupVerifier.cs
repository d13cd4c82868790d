using Microsoft.Data.Sqlite;
using Perf.Analytics.Compression;
using Perf.Storage.Hosts;

namespace Perf.Storage.Backup;

/// <summary>
/// Checks that a backup file restores: <c>PRAGMA integrity_check</c>; every row of the chunk table decodes and agrees with
/// its row; every host reads back as its recovery would (its snapshot, then every log record after it, entry by entry:
/// each names a series the host has, each seal's chunk is in the chunk table); and every event and snapshot of the other
/// persistent actors decodes (with the engine's serializer, given as <paramref name="decodeOther"/>). Leaves the file
/// untouched: a backup of an earlier layout is migrated in a temporary copy first, as a node would on its first start.
/// </summary>
/// <param name="decodeOther">decodes an Akka.Persistence.Sql row's payload by its manifest (throws when it cannot); null
/// skips those rows.</param>
public sealed class BackupVerifier(Func<string, byte[], object>? decodeOther = null)
{
    public const int MaxListedFailures = 100;

    /// <summary>The engine's serializer id, in Akka.Persistence.Sql's rows.</summary>
    public const int PerfSerializerId = 4717;

    /// <summary>Verifies the backup at <paramref name="path"/>; throws only when the file cannot be opened as a database.</summary>
    public BackupVerification Verify(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException("No backup file", path);
        if (!NeedsMigration(path)) return VerifyFile(path, cancellationToken);
        // An earlier layout: verify what a node would make of it, without touching the backup itself.
        var copy = Path.Combine(Path.GetTempPath(), $"perf-verify-{Guid.NewGuid():N}.db");
        try
        {
            File.Copy(path, copy);
            StorageDatabase.Sqlite(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString()).CreateSchema();
            return VerifyFile(copy, cancellationToken);
        }
        finally
        {
            foreach (var file in new[] { copy, copy + "-wal", copy + "-shm" }) File.Delete(file);
        }
    }

    private static bool NeedsMigration(string path)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('series_journal', 'series_snapshot')";
        try
        {
            return Convert.ToInt64(command.ExecuteScalar()) > 0;
        }
        catch (SqliteException)
        {
            return false; // a damaged file: the verification reports it
        }
    }

    private BackupVerification VerifyFile(string path, CancellationToken cancellationToken)
    {
        using var connection = Open(path);
        return new Run(connection, decodeOther, cancellationToken).Verify();
    }

    // Unpooled: the file must be free again as soon as this returns (restore moves it, tests delete it).
    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>One verification: the connection and what it has found so far.</summary>
    private sealed class Run(SqliteConnection connection, Func<string, byte[], object>? decodeOther, CancellationToken cancellationToken)
    {
        private const string HostPrefix = "host-";
        private readonly List<BackupFailure> _failures = [];
        // Per series id, the chunk table's (sequence, points) of the chunks that decoded.
        private readonly Dictionary<string, Dictionary<long, int>> _chunks = new(StringComparer.Ordinal);
        private int _hosts;
        private int _hostsFailed;
        private int _series;
        private int _seriesFailed;
        private long _points;
        private int _snapshots;
        private long _records;
        private long _chunkRows;
        private long _chunksFailed;
        private long _otherEvents;

        public BackupVerification Verify()
        {
            var integrity = IntegrityCheck();
            var tables = Tables();
            // A damaged file can fail any query: that is a finding, not a crash of the verification.
            Guard("database", () =>
            {
                if (tables.Contains("series_chunks")) DecodeChunks();
                if (tables.Contains("host_snapshots") && tables.Contains("host_log")) RecoverHosts();
                if (decodeOther is null) return;
                // Only Perf's own rows: Akka's (the sharding coordinators' state) are its business.
                if (tables.Contains("journal"))
                    DecodeOther("journal", $"SELECT persistence_id, sequence_number, identifier, manifest, message FROM journal WHERE identifier = {PerfSerializerId} ORDER BY ordering");
                if (tables.Contains("snapshot"))
                    DecodeOther("snapshot", $"SELECT persistence_id, sequence_number, serializer_id, manifest, snapshot FROM snapshot WHERE serializer_id = {PerfSerializerId}");
            });
            return new BackupVerification(integrity, _hosts, _hostsFailed, _series, _seriesFailed, _points, _snapshots, _records, _chunkRows, _chunksFailed, _otherEvents,
                _failures.Count, _failures.Take(MaxListedFailures).ToArray());
        }

        private string IntegrityCheck()
        {
            try
            {
                var lines = Strings("PRAGMA integrity_check");
                if (lines.Count == 1 && lines[0] == "ok") return "ok";
                foreach (var line in lines.Take(MaxListedFailures)) Fail("database", "integrity_check: " + line);
                return lines.Count == 0 ? "no answer" : lines[0];
            }
            catch (SqliteException e)
            {
                Fail("database", "integrity_check: " + e.Message);
                return e.Message;
            }
        }

        private HashSet<string> Tables() => [.. Strings("SELECT name FROM sqlite_master WHERE type = 'table'")];

        /// <summary>Every row of the chunk table: it decodes, holds as many points as its row says, between its first and last.</summary>
        private void DecodeChunks()
        {
            using var command = Command("SELECT series_id, sequence, first_ms, last_ms, point_count, data FROM series_chunks ORDER BY series_id, sequence");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                _chunkRows++;
                var seriesId = reader.GetString(0);
                var sequence = reader.GetInt64(1);
                var problem = ChunkProblem(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4), (byte[])reader[5]);
                if (problem is null)
                {
                    if (!_chunks.TryGetValue(seriesId, out var chunks)) _chunks[seriesId] = chunks = [];
                    chunks[sequence] = reader.GetInt32(4);
                    continue;
                }
                _chunksFailed++;
                Fail("series-" + seriesId, $"chunk {sequence}: {problem}");
            }
        }

        private static string? ChunkProblem(long firstMs, long lastMs, int pointCount, byte[] data)
        {
            DataPoint[] points;
            try
            {
                points = GorillaChunk.Decode(data);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or ArgumentException or IndexOutOfRangeException)
            {
                return "does not decode: " + e.Message;
            }
            if (points.Length != pointCount) return $"holds {points.Length} points, its row says {pointCount}";
            if (points.Length == 0) return "is empty";
            if (points[0].TimestampMs != firstMs || points[^1].TimestampMs != lastMs)
                return $"spans {points[0].TimestampMs}..{points[^1].TimestampMs}, its row says {firstMs}..{lastMs}";
            for (var i = 1; i < points.Length; i++)
                if (points[i].TimestampMs <= points[i - 1].TimestampMs) return $"timestamps do not ascend at point {i}";
            return null;
        }

        /// <summary>
        /// Each host, recovered as it would be: its snapshot, then its log records after it. The log is ordered by position
        /// (SQLite) and may hold a record twice (a copy maintenance moved forward, the older not cut yet): the later copy
        /// counts. Records at or below a host's snapshot are dead and not read.
        /// </summary>
        private void RecoverHosts()
        {
            using (var index = Command($"""
                CREATE TEMP TABLE log_by_host AS
                  SELECT l.host, l.sequence_nr, l.payload FROM host_log l
                  WHERE l.host <> '{SqliteHostLog.CutMarkerId}'
                    AND l.position IN (SELECT max(position) FROM host_log GROUP BY host, sequence_nr)
                    AND l.sequence_nr > coalesce((SELECT s.sequence_nr FROM host_snapshots s WHERE s.host = l.host), 0);
                CREATE INDEX temp.log_by_host_key ON log_by_host (host, sequence_nr);
                """))
                index.ExecuteNonQuery();
            var hosts = Strings("SELECT host FROM host_snapshots UNION SELECT host FROM log_by_host ORDER BY 1");
            using var snapshot = Command("SELECT sequence_nr, payload FROM host_snapshots WHERE host = $host", "$host");
            using var records = Command("SELECT sequence_nr, payload FROM log_by_host WHERE host = $host ORDER BY sequence_nr", "$host");
            foreach (var host in hosts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _hosts++;
                var series = new List<SeriesReplay>();
                try
                {
                    Recover(host, snapshot, records, series);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _hostsFailed++;
                    _seriesFailed += series.Count;
                    Fail(HostPrefix + host, e.Message);
                }
                _series += series.Count;
            }
        }

        private void Recover(string host, SqliteCommand snapshotQuery, SqliteCommand recordsQuery, List<SeriesReplay> series)
        {
            snapshotQuery.Parameters["$host"].Value = host;
            using (var reader = snapshotQuery.ExecuteReader())
            {
                if (reader.Read())
                {
                    var at = reader.GetInt64(0);
                    HostSnapshot stored;
                    try
                    {
                        stored = HostSnapshotCodec.Decode(at, (byte[])reader[1]);
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"snapshot at record {at}: {e.Message}", e);
                    }
                    foreach (var s in stored.Series) series.Add(SeriesReplay.From(host, s));
                    _snapshots++;
                }
            }
            recordsQuery.Parameters["$host"].Value = host;
            using (var reader = recordsQuery.ExecuteReader())
            {
                while (reader.Read())
                {
                    var sequenceNr = reader.GetInt64(0);
                    try
                    {
                        Replay(host, (byte[])reader[1], series);
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"record {sequenceNr}: {e.Message}", e);
                    }
                    _records++;
                }
            }
            // What queries will see: the heads, and the sealed chunks the hosts know (a chunk at or beyond a series' next
            // sequence was written by a host that lost it before its record: its points are still in that head).
            foreach (var s in series)
            {
                _points += s.HeadPoints;
                if (!_chunks.TryGetValue(s.SeriesId, out var chunks)) continue;
                foreach (var (sequence, points) in chunks)
                    if (sequence < s.NextChunkSequence) _points += points;
            }
        }

        private void Replay(string host, byte[] record, List<SeriesReplay> series)
        {
            var reader = new HostRecordReader(record);
            while (reader.MoveNext())
            {
                switch (reader.Kind)
                {
                    case RecordEntryKind.SeriesAdded:
                        foreach (var metric in reader.SeriesAdded()) series.Add(new SeriesReplay(host + "/" + metric));
                        break;
                    case RecordEntryKind.Points:
                        var points = reader.Points;
                        while (points.MoveNext()) At(series, points.Series).Add(points.TimestampMs);
                        break;
                    case RecordEntryKind.Finding:
                        At(series, reader.Finding().Series);
                        break;
                    case RecordEntryKind.ChunkSealed:
                        var (index, seal) = reader.ChunkSealed();
                        var sealedSeries = At(series, index);
                        if (!_chunks.TryGetValue(sealedSeries.SeriesId, out var chunks) || !chunks.ContainsKey(seal.Sequence))
                            throw new InvalidDataException($"seals chunk {seal.Sequence} of {sealedSeries.SeriesId}, which the chunk table does not hold");
                        sealedSeries.Seal(seal);
                        break;
                    case RecordEntryKind.ChunksRetained:
                        At(series, reader.ChunksRetained().Series);
                        break;
                }
            }
        }

        private static SeriesReplay At(List<SeriesReplay> series, int index) => index < series.Count
            ? series[index]
            : throw new InvalidDataException($"names series {index}; the host has {series.Count} by then");

        /// <summary>Events and snapshots of the other persistent actors (Akka.Persistence.Sql tables): each decodes.</summary>
        private void DecodeOther(string table, string sql)
        {
            using var command = Command(sql);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var persistenceId = reader.GetString(0);
                var sequenceNr = reader.GetInt64(1);
                var manifest = reader.IsDBNull(3) ? "" : reader.GetString(3);
                var payload = (byte[])reader[4];
                Guard(persistenceId, () =>
                {
                    try
                    {
                        decodeOther!(manifest, payload);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        throw new FormatException($"{table} row {sequenceNr} does not deserialize ({manifest}): {e.Message}", e);
                    }
                });
                _otherEvents++;
            }
        }

        /// <summary>Runs a check; whatever it throws (short of cancellation) is a failure of <paramref name="persistenceId"/>.</summary>
        private void Guard(string persistenceId, Action check)
        {
            try
            {
                check();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Fail(persistenceId, e.Message);
            }
        }

        private void Fail(string persistenceId, string reason) => _failures.Add(new BackupFailure(persistenceId, reason));

        private List<string> Strings(string sql)
        {
            using var command = Command(sql);
            using var reader = command.ExecuteReader();
            var values = new List<string>();
            while (reader.Read()) values.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString() ?? "");
            return values;
        }

        private SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
            return command;
        }
    }

    /// <summary>A series as the verification replays it: the timestamps of its head and where its chunks stand.</summary>
    private sealed class SeriesReplay(string seriesId)
    {
        private readonly SortedSet<long> _head = [];

        public string SeriesId => seriesId;

        public long NextChunkSequence { get; private set; }

        public int HeadPoints => _head.Count;

        public void Add(long timestampMs) => _head.Add(timestampMs);

        public void Seal(ChunkSeal seal)
        {
            _head.RemoveWhere(t => t <= seal.LastMs);
            NextChunkSequence = Math.Max(NextChunkSequence, seal.Sequence + 1);
        }

        public static SeriesReplay From(string host, SeriesSnapshot snapshot)
        {
            var replay = new SeriesReplay(host + "/" + snapshot.Metric) { NextChunkSequence = snapshot.Chunks.NextSequence };
            if (snapshot.Head.Length > 0)
            {
                try
                {
                    foreach (var point in GorillaChunk.Decode(snapshot.Head)) replay.Add(point.TimestampMs);
                }
                catch (FormatException e)
                {
                    throw new InvalidDataException($"the head of {replay.SeriesId} does not decode: {e.Message}", e);
                }
            }
            return replay;
        }
    }
}
