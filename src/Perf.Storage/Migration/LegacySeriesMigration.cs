using System.Data.Common;
using Perf.Storage.Hosts;

namespace Perf.Storage.Migration;

/// <summary>
/// Moves a database of layout 1 (one journal and one snapshot per series: <c>series_journal</c>, <c>series_snapshot</c>,
/// and each host's series list in Akka.Persistence.Sql's tables) into layout 2 (hosts own their series: <c>host_log</c>,
/// <c>host_snapshots</c>), inside the caller's transaction, so a crash leaves either the old layout or the new one.
/// Each host gets a snapshot at record 0 made of its series' latest snapshots, and one log record per series event
/// after them, translated entry for entry: recovering the host replays those records exactly as the series replayed
/// their events (points through the detectors, findings, seals, retention). Sealed chunks keep their table and keys.
/// The notification dispatcher's snapshot, which layout 1 kept in the series snapshot table, moves to Akka's.
/// </summary>
internal static class LegacySeriesMigration
{
    private const string SeriesPrefix = "series-";
    private const string HostPrefix = "host-";
    // The host directory's persistence id shares the hosts' prefix in layout 1; it is not a host.
    private const string HostDirectoryId = "host-directory";
    private const string DispatcherId = "notification-dispatcher";

    public static bool IsNeeded(DbCommand command, StorageProvider provider)
    {
        command.CommandText = provider == StorageProvider.Sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('series_journal', 'series_snapshot')"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('series_journal', 'series_snapshot')";
        return Convert.ToInt64(command.ExecuteScalar()) > 0;
    }

    public static MigrationReport Run(DbConnection connection, StorageProvider provider)
    {
        var snapshots = ReadSnapshots(connection);
        var events = ReadEvents(connection, provider, snapshots);
        var hostLists = ReadHostLists(connection);
        var bySeries = snapshots.Keys.Concat(events.Keys).Distinct(StringComparer.Ordinal)
            .Select(entityId => (EntityId: entityId, Slash: entityId.IndexOf('/')))
            .Where(s => s.Slash > 0 && s.Slash < s.EntityId.Length - 1)
            .GroupBy(s => s.EntityId[..s.Slash], s => s.EntityId[(s.Slash + 1)..], StringComparer.Ordinal);

        int hosts = 0, series = 0;
        long records = 0;
        using var record = new HostRecordWriter();
        foreach (var host in bySeries.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            // The host's own order where it persisted one (the order its series were registered), then any series it
            // did not list (a crash between a series' first write and its host's event cannot happen, but be whole).
            var listed = hostLists.TryGetValue(host.Key, out var list) ? list : new HostList();
            var metrics = listed.Metrics.Concat(host.OrderBy(m => m, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
            var slots = new List<SeriesSnapshot>(metrics.Count);
            var sequenceNr = 0L;
            for (var index = 0; index < metrics.Count; index++)
            {
                var entityId = host.Key + "/" + metrics[index];
                var slot = snapshots.TryGetValue(entityId, out var stored)
                    ? LegacySeriesFormat.ReadSnapshot(metrics[index], stored.Manifest, stored.Payload)
                    : SeriesSnapshot.Empty(metrics[index]);
                if (listed.Latest.TryGetValue(metrics[index], out var latest) && latest.Ms > slot.LatestMs)
                    slot = slot with { LatestMs = latest.Ms, LatestValue = latest.Value };
                slots.Add(slot);
                var chunks = slot.Chunks;
                foreach (var e in events.GetValueOrDefault(entityId) ?? [])
                {
                    record.Reset();
                    LegacySeriesFormat.WriteEvent(e.Manifest, e.Payload, index, record, ref chunks);
                    Insert(connection, "INSERT INTO host_log (host, sequence_nr, payload) VALUES (@host, @seq, @payload)",
                        ("@host", host.Key), ("@seq", ++sequenceNr), ("@payload", record.ToArray()));
                    records++;
                }
            }
            Insert(connection, "INSERT INTO host_snapshots (host, sequence_nr, created_ms, payload) VALUES (@host, 0, @created, @payload)",
                ("@host", host.Key), ("@created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("@payload", HostSnapshotCodec.Encode(slots)));
            hosts++;
            series += metrics.Count;
        }

        using var command = connection.CreateCommand();
        var dispatcherMoved = MoveDispatcherSnapshot(command);
        command.CommandText = $"""
            DROP TABLE IF EXISTS series_journal;
            DROP TABLE IF EXISTS series_journal_cut;
            DROP TABLE IF EXISTS series_snapshot;
            DELETE FROM journal WHERE persistence_id LIKE '{HostPrefix}%' AND persistence_id <> '{HostDirectoryId}';
            DELETE FROM snapshot WHERE persistence_id LIKE '{HostPrefix}%' AND persistence_id <> '{HostDirectoryId}';
            """;
        command.ExecuteNonQuery();
        return new MigrationReport(1, hosts, series, records, dispatcherMoved);
    }

    /// <summary>Each series' latest snapshot by entity id ("host/metric"), with its sequence number.</summary>
    private static Dictionary<string, (long SequenceNr, string Manifest, byte[] Payload)> ReadSnapshots(DbConnection connection)
    {
        var snapshots = new Dictionary<string, (long, string, byte[])>(StringComparer.Ordinal);
        if (!TableExists(connection, "series_snapshot")) return snapshots;
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT persistence_id, sequence_nr, serializer_id, manifest, payload FROM series_snapshot WHERE persistence_id LIKE '{SeriesPrefix}%'";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            CheckSerializer(reader.GetInt32(2), reader.GetString(0));
            snapshots[reader.GetString(0)[SeriesPrefix.Length..]] = (reader.GetInt64(1), reader.GetString(3), (byte[])reader[4]);
        }
        return snapshots;
    }

    /// <summary>
    /// Each series' events after its snapshot, in sequence order. On SQLite's log a row that maintenance copied forward
    /// may still lie at its old position too: the later copy counts.
    /// </summary>
    private static Dictionary<string, List<(string Manifest, byte[] Payload)>> ReadEvents(
        DbConnection connection, StorageProvider provider, Dictionary<string, (long SequenceNr, string Manifest, byte[] Payload)> snapshots)
    {
        var events = new Dictionary<string, SortedDictionary<long, (string, byte[])>>(StringComparer.Ordinal);
        if (TableExists(connection, "series_journal"))
        {
            var ordered = provider == StorageProvider.Sqlite && ColumnExists(connection, "series_journal", "position") ? "position" : "persistence_id, sequence_nr";
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT persistence_id, sequence_nr, serializer_id, manifest, payload FROM series_journal WHERE persistence_id LIKE '{SeriesPrefix}%' ORDER BY {ordered}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var entityId = reader.GetString(0)[SeriesPrefix.Length..];
                var sequenceNr = reader.GetInt64(1);
                if (snapshots.TryGetValue(entityId, out var snapshot) && sequenceNr <= snapshot.SequenceNr) continue; // covered: dead
                CheckSerializer(reader.GetInt32(2), reader.GetString(0));
                if (!events.TryGetValue(entityId, out var rows)) events[entityId] = rows = [];
                rows[sequenceNr] = (reader.GetString(3), (byte[])reader[4]);
            }
        }
        return events.ToDictionary(e => e.Key, e => e.Value.Values.ToList(), StringComparer.Ordinal);
    }

    /// <summary>Each host's series in the order it registered them, and the latest values of its last snapshot.</summary>
    private static Dictionary<string, HostList> ReadHostLists(DbConnection connection)
    {
        var hosts = new Dictionary<string, HostList>(StringComparer.Ordinal);
        HostList Of(string persistenceId) =>
            hosts.TryGetValue(persistenceId[HostPrefix.Length..], out var list) ? list : hosts[persistenceId[HostPrefix.Length..]] = new HostList();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT persistence_id, sequence_number, serializer_id, manifest, snapshot FROM snapshot
            WHERE persistence_id LIKE '{HostPrefix}%' AND persistence_id <> '{HostDirectoryId}' ORDER BY persistence_id, sequence_number
            """;
        var snapshotAt = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.IsDBNull(4) || reader.GetString(3) != "HS") continue;
                CheckSerializer(reader.GetInt32(2), reader.GetString(0));
                var list = Of(reader.GetString(0));
                var (metrics, timestamps, values) = LegacySeriesFormat.ReadHostSnapshot((byte[])reader[4]);
                list.Metrics.Clear();
                list.Metrics.AddRange(metrics);
                for (var i = 0; i < metrics.Length; i++)
                    if (timestamps[i] > 0) list.Latest[metrics[i]] = (timestamps[i], values[i]);
                snapshotAt[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        command.CommandText = $"""
            SELECT persistence_id, sequence_number, identifier, manifest, message FROM journal
            WHERE persistence_id LIKE '{HostPrefix}%' AND persistence_id <> '{HostDirectoryId}' ORDER BY persistence_id, sequence_number
            """;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.GetString(3) != "HE1" || reader.GetInt64(1) <= snapshotAt.GetValueOrDefault(reader.GetString(0))) continue;
                CheckSerializer(reader.GetInt32(2), reader.GetString(0));
                Of(reader.GetString(0)).Metrics.AddRange(LegacySeriesFormat.ReadSeriesAdded((byte[])reader[4]));
            }
        }
        return hosts;
    }

    private static bool MoveDispatcherSnapshot(DbCommand command)
    {
        if (!TableExists(command.Connection!, "series_snapshot")) return false;
        command.CommandText = $"""
            INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id)
            SELECT persistence_id, sequence_nr, created_ticks, payload, manifest, serializer_id FROM series_snapshot WHERE persistence_id = '{DispatcherId}'
            """;
        return command.ExecuteNonQuery() > 0;
    }

    private static void Insert(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        command.ExecuteNonQuery();
    }

    private static bool TableExists(DbConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = connection is Microsoft.Data.Sqlite.SqliteConnection
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
            : $"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'";
        return Convert.ToInt64(command.ExecuteScalar()) > 0;
    }

    private static bool ColumnExists(DbConnection connection, string table, string column)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
        return Convert.ToInt64(command.ExecuteScalar()) > 0;
    }

    private static void CheckSerializer(int serializerId, string persistenceId)
    {
        if (serializerId != LegacySeriesFormat.SerializerId)
            throw new InvalidDataException($"A row of {persistenceId} was written by serializer {serializerId}, not Perf's ({LegacySeriesFormat.SerializerId}): it cannot be migrated");
    }

    private sealed class HostList
    {
        public readonly List<string> Metrics = [];
        public readonly Dictionary<string, (long Ms, double Value)> Latest = new(StringComparer.Ordinal);
    }
}

/// <summary>What a migration moved.</summary>
/// <param name="FromLayout">the layout the database had.</param>
/// <param name="DispatcherSnapshotMoved">whether the notification dispatcher's snapshot moved to Akka's snapshot table.</param>
public sealed record MigrationReport(int FromLayout, int Hosts, int Series, long Records, bool DispatcherSnapshotMoved);
