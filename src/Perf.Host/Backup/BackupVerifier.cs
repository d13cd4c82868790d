using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Perf.Actors.Configuration;
using Perf.Actors.Serialization;
using Perf.Actors.Series;
using Perf.Actors.Storage;
using Perf.Analytics.Compression;

namespace Perf.Host.Backup;

/// <summary>
/// Checks that a backup file restores: <c>PRAGMA integrity_check</c>, then every series recovers the way its actor would
/// (latest snapshot, the journal after it, through <see cref="SeriesRecovery"/>, with no sequence number missing), every
/// row of the chunk table decodes and agrees with its row, and every event and snapshot of the other persistent actors
/// (hosts, alerts, rule book, silences, optimizers, reports) deserializes. Opens the file read-only and leaves it untouched.
/// </summary>
public sealed class BackupVerifier(DetectionSettings detection, PerfSerializer serializer)
{
    public const int MaxListedFailures = 100;

    private const string SeriesPrefix = "series-";

    /// <summary>Verifies outside a node (the CLI): an actor system of its own, only for the serializer.</summary>
    public static async Task<BackupVerification> VerifyStandaloneAsync(string path, DetectionSettings detection, CancellationToken cancellationToken = default)
    {
        var system = ActorSystem.Create("perf-verify", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        try
        {
            var verifier = new BackupVerifier(detection, new PerfSerializer((ExtendedActorSystem)system));
            return await Task.Run(() => verifier.Verify(path, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Verifies the backup at <paramref name="path"/>; throws only when the file cannot be opened as a database.</summary>
    public BackupVerification Verify(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException("No backup file", path);
        // Unpooled: the file must be free again as soon as this returns (restore moves it, tests delete it).
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        var run = new Run(connection, detection, serializer, cancellationToken);
        return run.Verify();
    }

    /// <summary>One verification: the connection and what it has found so far.</summary>
    private sealed class Run(SqliteConnection connection, DetectionSettings detection, PerfSerializer serializer, CancellationToken cancellationToken)
    {
        private readonly List<BackupFailure> _failures = [];
        private readonly HashSet<string> _failedSeries = new(StringComparer.Ordinal);
        // Per series id, the chunk table's (sequence, points) of the chunks that decoded.
        private readonly Dictionary<string, List<(long Sequence, int Points)>> _chunks = new(StringComparer.Ordinal);
        private int _series;
        private long _points;
        private int _snapshots;
        private long _events;
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
                if (tables.Contains("series_journal") || tables.Contains("series_snapshot")) RecoverSeries(tables);
                // Only Perf's own rows: Akka's (the sharding coordinators' state) are its business, and the standalone
                // verifier has no cluster to decode them with.
                if (tables.Contains("journal"))
                    DecodeOther("journal", $"SELECT persistence_id, sequence_number, identifier, manifest, message FROM journal WHERE identifier = {PerfSerializer.Id} ORDER BY ordering");
                if (tables.Contains("snapshot"))
                    DecodeOther("snapshot", $"SELECT persistence_id, sequence_number, serializer_id, manifest, snapshot FROM snapshot WHERE serializer_id = {PerfSerializer.Id}");
            });
            return new BackupVerification(integrity, _series, _failedSeries.Count, _points, _snapshots, _events, _chunkRows, _chunksFailed, _otherEvents,
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
                var problem = ChunkProblem(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4), () => (byte[])reader[5]);
                if (problem is null)
                {
                    if (!_chunks.TryGetValue(seriesId, out var list)) _chunks[seriesId] = list = [];
                    list.Add((sequence, reader.GetInt32(4)));
                    continue;
                }
                _chunksFailed++;
                _failedSeries.Add(SeriesPrefix + seriesId);
                Fail(SeriesPrefix + seriesId, $"chunk {sequence}: {problem}");
            }
        }

        private static string? ChunkProblem(long firstMs, long lastMs, int pointCount, Func<byte[]> data)
        {
            DataPoint[] points;
            try
            {
                points = GorillaChunk.Decode(data());
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

        /// <summary>Each series persistence id, recovered as its actor would: latest snapshot, then every event after it.</summary>
        private void RecoverSeries(HashSet<string> tables)
        {
            var ids = Strings(string.Join(" UNION ", new[]
            {
                tables.Contains("series_snapshot") ? "SELECT persistence_id FROM series_snapshot" : null,
                tables.Contains("series_journal") ? $"SELECT persistence_id FROM series_journal WHERE persistence_id <> '{JournalLog.CutMarkerId}'" : null,
            }.Where(q => q is not null)) + " ORDER BY 1");
            using var snapshot = tables.Contains("series_snapshot")
                ? Command("SELECT sequence_nr, serializer_id, manifest, payload FROM series_snapshot WHERE persistence_id = $id", "$id")
                : null;
            if (tables.Contains("series_journal")) IndexJournalBySeries(tables);
            using var journal = tables.Contains("series_journal")
                ? Command("SELECT sequence_nr, serializer_id, manifest, payload FROM journal_by_series WHERE persistence_id = $id AND sequence_nr > $after ORDER BY sequence_nr",
                    "$id", "$after")
                : null;
            foreach (var id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _series++;
                Guard(id, () => Recover(id, snapshot, journal));
            }
        }

        /// <summary>
        /// The journal is a log ordered by position (see JournalLog), so reading it series by series needs an index; the
        /// backup stays untouched, the index goes to the connection's temporary database. A row the log's maintenance
        /// copied forward may still lie at its old position too: the newer copy counts.
        /// </summary>
        private void IndexJournalBySeries(HashSet<string> tables)
        {
            using var layout = Command("SELECT count(*) FROM pragma_table_info('series_journal') WHERE name = 'position'");
            var rows = Convert.ToInt64(layout.ExecuteScalar()) > 0
                ? "FROM series_journal WHERE position IN (SELECT max(position) FROM series_journal GROUP BY persistence_id, sequence_nr)"
                : "FROM series_journal WHERE true"; // written before the journal became a log: keyed, one row per event
            // Rows a snapshot covers are dead (the log keeps them until it is cut): they need not be copied.
            if (tables.Contains("series_snapshot"))
                rows += " AND sequence_nr > coalesce((SELECT s.sequence_nr FROM series_snapshot s WHERE s.persistence_id = series_journal.persistence_id), 0)";
            using var command = Command($"""
                CREATE TEMP TABLE journal_by_series AS SELECT persistence_id, sequence_nr, serializer_id, manifest, payload {rows};
                CREATE INDEX temp.journal_by_series_key ON journal_by_series (persistence_id, sequence_nr);
                """);
            command.ExecuteNonQuery();
        }

        private void Recover(string persistenceId, SqliteCommand? snapshotQuery, SqliteCommand? journalQuery)
        {
            if (!persistenceId.StartsWith(SeriesPrefix, StringComparison.Ordinal)) throw new FormatException("is not a series persistence id");
            var entityId = persistenceId[SeriesPrefix.Length..];
            var detectors = detection.For(SeriesKey.FromEntityId(entityId).Metric);
            var state = new SeriesState();
            var seriesDetection = new SeriesDetection(detectors, detection.MaxAnomaliesPerSeries);
            long after = 0;
            if (snapshotQuery is not null)
            {
                snapshotQuery.Parameters["$id"].Value = persistenceId;
                using var reader = snapshotQuery.ExecuteReader();
                if (reader.Read())
                {
                    after = reader.GetInt64(0);
                    var stored = Deserialize(reader, 1, $"snapshot {after}");
                    if (!SeriesRecovery.TryRestore(stored, detectors, detection.MaxAnomaliesPerSeries, out state, out seriesDetection))
                        throw new FormatException($"snapshot {after} is a {stored.GetType().Name}, not a series snapshot");
                    _snapshots++;
                }
            }
            if (journalQuery is not null)
            {
                journalQuery.Parameters["$id"].Value = persistenceId;
                journalQuery.Parameters["$after"].Value = after;
                using var reader = journalQuery.ExecuteReader();
                var expected = after + 1;
                while (reader.Read())
                {
                    var sequenceNr = reader.GetInt64(0);
                    // Recovery would skip the gap silently; the events in it are lost.
                    if (sequenceNr != expected)
                        throw new FormatException(after == 0 && expected == 1
                            ? $"the journal starts at event {sequenceNr} and there is no snapshot: events 1..{sequenceNr - 1} are missing"
                            : $"events {expected}..{sequenceNr - 1} are missing from the journal (after {(after == 0 ? "its start" : $"snapshot {after}")})");
                    if (Deserialize(reader, 1, $"event {sequenceNr}") is not ISeriesEvent e)
                        throw new FormatException($"event {sequenceNr} is not a series event");
                    try
                    {
                        SeriesRecovery.Replay(state, seriesDetection, e);
                    }
                    catch (Exception failure) when (failure is not OperationCanceledException)
                    {
                        throw new FormatException($"event {sequenceNr} ({e.GetType().Name}) does not apply: {failure.Message}", failure);
                    }
                    _events++;
                    expected++;
                }
            }
            // The head must decode too: queries and the next seal read it.
            var head = GorillaChunk.Decode(state.Head.ToArray());
            if (head.Length != state.Head.Count) throw new FormatException($"the head decodes to {head.Length} points, not {state.Head.Count}");
            // What queries will see: the head, and the sealed chunks the state knows (a chunk at or beyond NextChunkSequence
            // was written but its ChunkSealed event was not: its points are still in the head).
            _points += head.Length;
            if (_chunks.TryGetValue(entityId, out var chunks))
                foreach (var (sequence, points) in chunks)
                    if (sequence < state.NextChunkSequence) _points += points;
        }

        /// <summary>Events and snapshots of the other persistent actors (Akka.Persistence.Sql tables): each deserializes.</summary>
        private void DecodeOther(string table, string sql)
        {
            using var command = Command(sql);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var persistenceId = reader.GetString(0);
                var sequenceNr = reader.GetInt64(1);
                Guard(persistenceId, () => Deserialize(reader, 2, $"{table} row {sequenceNr}"));
                _otherEvents++;
            }
        }

        /// <summary>The object of a row's (serializer id, manifest, payload) columns starting at <paramref name="column"/>.</summary>
        private object Deserialize(SqliteDataReader reader, int column, string row)
        {
            var serializerId = reader.IsDBNull(column) ? 0 : reader.GetInt32(column);
            if (serializerId != PerfSerializer.Id)
                throw new FormatException($"{row} was written by serializer {serializerId}, not Perf's ({PerfSerializer.Id})");
            try
            {
                return serializer.FromBinary((byte[])reader[column + 2], reader.GetString(column + 1));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new FormatException($"{row} does not deserialize ({reader.GetString(column + 1)}): {e.Message}", e);
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
                if (persistenceId.StartsWith(SeriesPrefix, StringComparison.Ordinal)) _failedSeries.Add(persistenceId);
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
}
