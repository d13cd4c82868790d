using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

using Perf.Storage.Chunks;

namespace Perf.Storage.Hosts;

/// <summary>
/// The host log on a node's SQLite file (table <c>host_log</c>): an append-only log. Rows go to the end of the table (its
/// integer <c>position</c> is the B-tree key), so a group commit of thousands of hosts fills a few fresh pages instead
/// of touching one page per host (keyed by (host, sequence number), each row cost a random page write). Where each
/// host's rows lie is kept in memory, rebuilt by one scan when the node starts; only this node writes the file, so the
/// index is never stale.
/// <para>
/// A host's rows die when its snapshot covers them (<see cref="DeleteToAsync"/> only marks them). Maintenance then cuts
/// the log below its oldest live row, and a host that writes so rarely that its live rows hold back a log mostly
/// dead has them copied to the end first, so the file stays near the size of what is live.
/// </para>
/// </summary>
public sealed class SqliteHostLog : IHostLog
{
    // About 0.1 and 0.2 s of the writer's time (a scattered copy costs ~12 us, a deleted row of the oldest part ~1 us).
    private const int MaxRowsMovedPerPass = 10_000;
    private const long MaxRowsCutPerPass = 200_000;

    /// <summary>The host of the row that marks the recorded cut (no host's: a host name cannot start with '#'), and which
    /// the backup verification skips.</summary>
    public const string CutMarkerId = "#cut";

    private readonly StorageDatabase _database;
    private readonly DatabaseWriter _writer;
    private readonly long _maintenanceIntervalMs;
    private readonly long _compactionSlack;
    private readonly Lock _index = new();
    private readonly Dictionary<string, HostRows> _hosts = new(StringComparer.Ordinal);
    private readonly Task _loaded;
    // Positions are handed out on the writer's thread only (in the units' Execute), so they ascend in commit order.
    private long _nextPosition;
    // Under _index: the end of the committed log, the start of what has not been cut, live rows, replays reading rows.
    private long _committedEnd;
    private long _cutBelow;
    private long _liveRows;
    private int _replays;
    private long _lastMaintenanceMs = Environment.TickCount64;
    // On the writer's thread only: the highest sequence number of each host among the rows of the transaction being
    // built (the index learns them only once they commit), and which transaction that is.
    private readonly Dictionary<string, long> _uncommitted = new(StringComparer.Ordinal);
    private DbTransaction? _uncommittedIn;
    // The start-up scan's progress: rows read, and the span of the log it reads.
    private long _scanned;
    private long _toScan;
    private int _maintaining;

    /// <param name="maintenanceInterval">How often at most the log is cut (1 s unless a test says otherwise).</param>
    /// <param name="compactionSlack">Below this many dead rows beyond three times the live ones, laggards are left where
    /// they are: moving them would cost more than the space.</param>
    public SqliteHostLog(StorageDatabase database, DatabaseWriter writer, TimeSpan? maintenanceInterval = null, long compactionSlack = 100_000)
    {
        _database = database;
        _writer = writer;
        _maintenanceIntervalMs = (long)(maintenanceInterval ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
        _compactionSlack = compactionSlack;
        _loaded = Task.Run(LoadAsync);
    }

    public void Append(HostWrite write)
    {
        if (_loaded.IsCompletedSuccessfully) _writer.Write(new AppendRow(this, write));
        // Until the start-up scan is done positions are unknown: the write waits for it (only writes that come that early).
        else _loaded.ContinueWith(loaded =>
        {
            if (loaded.IsCompletedSuccessfully) _writer.Write(new AppendRow(this, write));
            else write.Done(loaded.Exception?.GetBaseException() ?? new InvalidOperationException("the host log did not load"));
        }, TaskScheduler.Default);
    }

    public async Task DeleteToAsync(string host, long toSequenceNr)
    {
        await _loaded.ConfigureAwait(false);
        lock (_index)
        {
            if (_hosts.TryGetValue(host, out var rows) && rows.DeleteTo(toSequenceNr) is var dropped and > 0)
            {
                _liveRows -= dropped;
                // Nothing of it is left to replay, and its snapshot carries its highest sequence number from here.
                if (rows.Count == 0 && rows.Highest <= toSequenceNr) _hosts.Remove(host);
            }
        }
        await MaintainIfDueAsync().ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HostLogRecord>> ReadAsync(string host, long afterSequenceNr, CancellationToken cancellationToken = default)
    {
        await _loaded.ConfigureAwait(false);
        // A write of this host may still be queued (its actor stopped after a failure): recovery must see it.
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        long[] positions;
        lock (_index)
        {
            if (!_hosts.TryGetValue(host, out var rows)) return [];
            positions = rows.PositionsOf(afterSequenceNr + 1, long.MaxValue, long.MaxValue);
            if (positions.Length == 0) return [];
            // Maintenance must not cut rows while a replay may still read them at the positions it took here.
            _replays++;
        }
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            // One statement for all of the host's rows (a query per row cost more than the rows themselves at recovery).
            command.CommandText = """
                SELECT host, sequence_nr, payload FROM host_log
                WHERE position IN (SELECT value FROM json_each(@positions)) ORDER BY sequence_nr
                """;
            command.AddParameter("@positions", "[" + string.Join(',', positions) + "]");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var records = new List<HostLogRecord>(positions.Length);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.GetString(0) != host) throw new InvalidOperationException($"A row listed for {host} holds {reader.GetString(0)}");
                records.Add(new HostLogRecord(reader.GetInt64(1), (byte[])reader[2]));
            }
            if (records.Count != positions.Length)
                throw new InvalidOperationException($"{positions.Length - records.Count} of the {positions.Length} rows of {host} are missing from the host log");
            return records;
        }
        finally
        {
            lock (_index) _replays--;
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string host, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        await _loaded.ConfigureAwait(false);
        // As in a read: a recovering host must not reuse the sequence number of a write that is still queued.
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        lock (_index)
            return _hosts.TryGetValue(host, out var rows) ? Math.Max(rows.Highest, fromSequenceNr) : fromSequenceNr;
    }

    /// <summary>Completes once the log has been scanned: until then writes and replays wait.</summary>
    public Task Loaded => _loaded;

    /// <summary>How far the start-up scan has got, for readiness.</summary>
    public string LoadProgress => $"{Volatile.Read(ref _scanned):N0} of about {Volatile.Read(ref _toScan):N0} rows of the host log scanned";

    /// <summary>
    /// Rebuilds the index: each host's rows above its snapshot, by one pass over the log in position order from the
    /// persisted cut (everything below it is dead, even where maintenance has not deleted it yet). It reads the rows
    /// through SQLite's own statement API: a node with 100,000 host can hold tens of millions of rows, and the ADO.NET
    /// reader's per-column overhead and a string per row made the scan about twice as slow.
    /// </summary>
    private async Task LoadAsync()
    {
        await using var connection = await _database.OpenAsync().ConfigureAwait(false);
        long first, last, markedCut;
        await using (var bounds = connection.CreateCommand())
        {
            // The recorded cut counts only with its marker row right below it (see CutRows).
            bounds.CommandText = $"""
                SELECT (SELECT min(position) FROM host_log), (SELECT max(position) FROM host_log),
                  (SELECT below FROM host_log_cut c WHERE EXISTS (
                     SELECT 1 FROM host_log j WHERE j.position = c.below - 1 AND j.host = '{CutMarkerId}'))
                """;
            await using var reader = await bounds.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
            (first, last, markedCut) = (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1), reader.IsDBNull(2) ? 0 : reader.GetInt64(2));
        }
        Volatile.Write(ref _toScan, last == 0 ? 0 : Math.Max(0, last - Math.Max(first, markedCut) + 1));
        var bySpan = _hosts.GetAlternateLookup<ReadOnlySpan<char>>();
        var name = new char[256];
        var handle = ((SqliteConnection)connection).Handle!;
        using (var scan = Prepare("SELECT position, host, sequence_nr FROM host_log WHERE position >= ?1 ORDER BY position"))
        // Each host's snapshot is looked up when the scan first meets it: after a graceful stop the scan meets none, and
        // reading the whole snapshot table (many KB a host) cost more than the scan.
        using (var snapshotOf = Prepare("SELECT sequence_nr FROM host_snapshots WHERE host = ?1"))
        {
            Check(raw.sqlite3_bind_int64(scan, 1, markedCut));
            int step;
            long scanned = 0;
            while ((step = raw.sqlite3_step(scan)) == raw.SQLITE_ROW)
            {
                var position = raw.sqlite3_column_int64(scan, 0);
                var utf8 = raw.sqlite3_column_blob(scan, 1);
                if (name.Length < utf8.Length) name = new char[utf8.Length];
                var host = name.AsSpan(0, Encoding.UTF8.GetChars(utf8, name));
                var sequenceNr = raw.sqlite3_column_int64(scan, 2);
                if (host.SequenceEqual(CutMarkerId)) continue;
                if (!bySpan.TryGetValue(host, out var rows))
                {
                    var id = host.ToString();
                    Check(raw.sqlite3_bind_text(snapshotOf, 1, id));
                    var snapshot = Check(raw.sqlite3_step(snapshotOf)) == raw.SQLITE_ROW ? raw.sqlite3_column_int64(snapshotOf, 0) : 0;
                    Check(raw.sqlite3_reset(snapshotOf));
                    _hosts[id] = rows = new HostRows { Highest = snapshot, DeletedTo = snapshot };
                }
                rows.Highest = Math.Max(rows.Highest, sequenceNr);
                if (sequenceNr > rows.DeletedTo) rows.Place(sequenceNr, position);
                if ((++scanned & 0xFFFF) == 0) Volatile.Write(ref _scanned, scanned);
            }
            if (step != raw.SQLITE_DONE) Check(step);
            Volatile.Write(ref _scanned, scanned);
        }
        foreach (var (host, rows) in _hosts.ToList())
        {
            _liveRows += rows.Count;
            if (rows.Count == 0) _hosts.Remove(host);
            else rows.RecomputeOldest();
        }
        // New rows go after every row in the file and after the cut: a row below the cut would not be found at the next start.
        _nextPosition = _committedEnd = Math.Max(last + 1, markedCut);
        _cutBelow = first;

        sqlite3_stmt Prepare(string sql)
        {
            Check(raw.sqlite3_prepare_v2(handle, sql, out var statement));
            return statement;
        }

        int Check(int result)
        {
            if (result is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE)) SqliteException.ThrowExceptionForRC(result, handle);
            return result;
        }
    }

    /// <summary>
    /// At most once a second, and never while a replay reads: cuts the log below its oldest live row, and when host
    /// that write rarely hold back a log that is mostly dead, moves the oldest of their rows to the end. Each pass does
    /// a bounded amount (<see cref="MaxRowsCutPerPass"/>, <see cref="MaxRowsMovedPerPass"/>), so that it never holds up
    /// the writer's commits for long.
    /// </summary>
    private async Task MaintainIfDueAsync()
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastMaintenanceMs) < _maintenanceIntervalMs || Interlocked.CompareExchange(ref _maintaining, 1, 0) != 0) return;
        Interlocked.Exchange(ref _lastMaintenanceMs, now);
        CutRows? cut = null;
        MoveRows? move = null;
        lock (_index)
        {
            if (_replays == 0)
            {
                var oldestLive = OldestLive();
                if (oldestLive > _cutBelow) cut = new CutRows(this, _cutBelow, Math.Min(oldestLive, _cutBelow + MaxRowsCutPerPass), oldestLive);
                var span = _committedEnd - oldestLive;
                if (span > _compactionSlack + 3 * _liveRows) move = new MoveRows(this, OldestRows(oldestLive + span / 2));
            }
        }
        try
        {
            if (cut is not null) await _writer.WriteAsync(cut).ConfigureAwait(false);
            if (move is not null) await _writer.WriteAsync(move).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _maintaining, 0);
        }
    }

    /// <summary>
    /// At a graceful stop every host has just snapshotted, so most of the log is dead; maintenance runs at most once a
    /// second and may not have recorded it. Recording it now spares the next start reading it (nothing is deleted here:
    /// the next start's maintenance does that in its bounded passes).
    /// </summary>
    public async Task StoppingAsync()
    {
        if (!_loaded.IsCompletedSuccessfully) return;
        CutRows? record = null;
        // No need to wait for replays, as maintenance does: nothing is deleted, and the marker row goes below every live row.
        lock (_index)
            if (OldestLive() is var oldestLive && oldestLive > _cutBelow) record = new CutRows(this, _cutBelow, _cutBelow, oldestLive);
        if (record is not null) await _writer.WriteAsync(record).ConfigureAwait(false);
    }

    /// <summary>The position of the oldest row some host still needs: everything below it is dead (under the index lock).</summary>
    private long OldestLive()
    {
        var oldestLive = _committedEnd;
        foreach (var rows in _hosts.Values) oldestLive = Math.Min(oldestLive, rows.OldestPosition);
        return oldestLive;
    }

    /// <summary>Live rows below <paramref name="cut"/>, the host that hold the log back longest first (under the index lock).</summary>
    private List<(string Host, long SequenceNr, long Position)> OldestRows(long cut)
    {
        var moves = new List<(string, long, long)>();
        foreach (var (host, rows) in _hosts.Where(s => s.Value.OldestPosition < cut).OrderBy(s => s.Value.OldestPosition))
        foreach (var (sequenceNr, position) in rows.Rows())
        {
            if (moves.Count >= MaxRowsMovedPerPass) return moves;
            if (position < cut) moves.Add((host, sequenceNr, position)); // rows move one by one: part of a host may stay
        }
        return moves;
    }

    /// <summary>
    /// Where one host's live rows are: the position of each sequence number from <see cref="FirstSequenceNr"/> on, 8 bytes
    /// a row (a node holds thousands of hosts). A host's live sequence numbers run without gaps (it deletes only prefixes);
    /// a gap (a write that failed) is kept as position -1. Positions need not ascend: moved rows lie later.
    /// </summary>
    private sealed class HostRows
    {
        private const long NoRow = -1;
        private readonly List<long> _positions = [];
        public long Highest;
        public long DeletedTo;
        public long FirstSequenceNr;
        public long OldestPosition = long.MaxValue;
        public int Count { get; private set; }

        public IEnumerable<(long SequenceNr, long Position)> Rows()
        {
            for (var i = 0; i < _positions.Count; i++)
                if (_positions[i] != NoRow) yield return (FirstSequenceNr + i, _positions[i]);
        }

        /// <summary>Points a row at its copy, unless it is no longer at <paramref name="from"/> (deleted meanwhile); the
        /// caller recomputes <see cref="OldestPosition"/> once it has moved all of the host's rows.</summary>
        public bool Move(long sequenceNr, long from, long to)
        {
            var index = sequenceNr - FirstSequenceNr;
            if (index < 0 || index >= _positions.Count || _positions[(int)index] != from) return false;
            _positions[(int)index] = to;
            return true;
        }

        /// <summary>Adds a row, or (while loading) points a known sequence number at its later copy made by a move.</summary>
        public void Place(long sequenceNr, long position)
        {
            if (_positions.Count == 0) FirstSequenceNr = sequenceNr;
            else if (sequenceNr < FirstSequenceNr)
            {
                _positions.InsertRange(0, Enumerable.Repeat(NoRow, (int)(FirstSequenceNr - sequenceNr)));
                FirstSequenceNr = sequenceNr;
            }
            var index = (int)(sequenceNr - FirstSequenceNr);
            while (_positions.Count <= index) _positions.Add(NoRow);
            var replaced = _positions[index];
            _positions[index] = position;
            if (replaced != NoRow) return; // a later copy, met only while loading: the load recomputes the oldest once at the end
            Count++;
            OldestPosition = Math.Min(OldestPosition, position);
        }

        /// <summary>Drops the rows up to <paramref name="toSequenceNr"/>; how many.</summary>
        public int DeleteTo(long toSequenceNr)
        {
            if (toSequenceNr <= DeletedTo) return 0;
            DeletedTo = toSequenceNr;
            var drop = (int)Math.Clamp(toSequenceNr - FirstSequenceNr + 1, 0, _positions.Count);
            var dropped = 0;
            for (var i = 0; i < drop; i++)
                if (_positions[i] != NoRow) dropped++;
            _positions.RemoveRange(0, drop);
            // A snapshot just emptied most of the list: give the memory back (100,000 host each keep one).
            if (_positions.Capacity > 64 && _positions.Count < _positions.Capacity / 4) _positions.Capacity = Math.Max(16, _positions.Count * 2);
            FirstSequenceNr += drop;
            Count -= dropped;
            RecomputeOldest();
            return dropped;
        }

        public void RecomputeOldest()
        {
            OldestPosition = long.MaxValue;
            foreach (var position in _positions)
                if (position != NoRow) OldestPosition = Math.Min(OldestPosition, position);
        }

        public long[] PositionsOf(long fromSequenceNr, long toSequenceNr, long max)
        {
            var positions = new List<long>();
            foreach (var (sequenceNr, position) in Rows())
                if (sequenceNr >= fromSequenceNr && sequenceNr <= toSequenceNr && positions.Count < max) positions.Add(position);
            return [.. positions];
        }
    }

    /// <summary>A new row at the end of the log (with the chunks it seals); indexed once committed.</summary>
    private sealed class AppendRow(SqliteHostLog log, HostWrite write) : DatabaseWork
    {
        private const string Sql = "INSERT INTO host_log (position, host, sequence_nr, payload) VALUES (?1, ?2, ?3, ?4)";

        private long _position;

        public override void Execute(DatabaseStatements statements)
        {
            // A new transaction (the next group commit, or the retry of a failed one) starts with none of its rows.
            if (!ReferenceEquals(log._uncommittedIn, statements.Transaction))
            {
                log._uncommitted.Clear();
                log._uncommittedIn = statements.Transaction;
            }
            // What a key (host, sequence number) would enforce: a second writer of a host is refused, whether the first
            // one's record has committed or is in this same transaction.
            lock (log._index)
                if (log._hosts.TryGetValue(write.Host, out var rows) && write.SequenceNr <= rows.Highest)
                    throw new InvalidOperationException($"{write.Host} already has record {write.SequenceNr}");
            if (log._uncommitted.TryGetValue(write.Host, out var uncommitted) && write.SequenceNr <= uncommitted)
                throw new InvalidOperationException($"{write.Host} already has record {write.SequenceNr}");
            foreach (var chunk in write.Chunks) SqlChunkStore.Write(statements, chunk);
            var insert = statements.Sqlite(Sql)!.Value;
            _position = log._nextPosition;
            insert.Bind(1, log._nextPosition++);
            insert.Bind(2, write.Host);
            insert.Bind(3, write.SequenceNr);
            insert.Bind(4, write.Payload);
            insert.Run();
            log._uncommitted[write.Host] = write.SequenceNr;
        }

        protected override void Completed(Exception? error) => write.Done(error);

        protected override void Committed()
        {
            lock (log._index)
            {
                if (!log._hosts.TryGetValue(write.Host, out var rows))
                    log._hosts[write.Host] = rows = new HostRows { Highest = write.SequenceNr - 1, DeletedTo = write.SequenceNr - 1 };
                rows.Highest = Math.Max(rows.Highest, write.SequenceNr);
                rows.Place(write.SequenceNr, _position);
                log._liveRows++;
                log._committedEnd = Math.Max(log._committedEnd, _position + 1);
            }
        }
    }

    /// <summary>Copies live rows to the end of the log, so that the old part they held can be cut.</summary>
    private sealed class MoveRows(SqliteHostLog log, List<(string Host, long SequenceNr, long Position)> moves) : DatabaseWork
    {
        private const string Sql = """
            INSERT INTO host_log (position, host, sequence_nr, payload)
            SELECT @to, host, sequence_nr, payload FROM host_log WHERE position = @from
            """;

        private long _first;

        public override void Execute(DatabaseStatements statements)
        {
            var copy = statements.Command(Sql, ("@to", DbType.Int64), ("@from", DbType.Int64));
            _first = log._nextPosition;
            foreach (var (_, _, position) in moves)
            {
                (copy.Parameters[0].Value, copy.Parameters[1].Value) = (log._nextPosition++, position);
                copy.ExecuteNonQuery();
            }
        }

        protected override void Committed()
        {
            lock (log._index)
            {
                var moved = new HashSet<HostRows>();
                for (var i = 0; i < moves.Count; i++)
                {
                    var (host, sequenceNr, from) = moves[i];
                    // A row its host deleted meanwhile stays dead: its copy is cut with the rest.
                    if (!log._hosts.TryGetValue(host, out var rows)) continue;
                    if (rows.Move(sequenceNr, from, _first + i)) moved.Add(rows);
                }
                foreach (var moved1 in moved) moved1.RecomputeOldest();
                log._committedEnd = Math.Max(log._committedEnd, _first + moves.Count);
            }
        }
    }

    /// <summary>
    /// Deletes the oldest dead rows, <paramref name="from"/> to <paramref name="to"/> (a bounded pass: the rest go in the
    /// next ones), and records that every row below <paramref name="dead"/> is dead, so that the next start scans from
    /// there. The record is a row of its own table plus a marker row in the log at <c>dead - 1</c> (a dead position, so
    /// it may replace whatever row is there). The marker keeps the log's highest position at or above the cut, so that
    /// a build which does not know the cut still appends above it; and if such a build deletes the marker, the next start
    /// ignores the cut and scans everything.
    /// </summary>
    private sealed class CutRows(SqliteHostLog log, long from, long to, long dead) : DatabaseWork
    {
        private const string Sql = $"""
            DELETE FROM host_log WHERE position >= @from AND position < @to;
            INSERT OR REPLACE INTO host_log (position, host, sequence_nr, payload) VALUES (@dead - 1, '{CutMarkerId}', 0, X'');
            INSERT INTO host_log_cut (id, below) VALUES (1, @dead) ON CONFLICT (id) DO UPDATE SET below = max(below, excluded.below)
            """;

        public override void Execute(DatabaseStatements statements)
        {
            var cut = statements.Command(Sql, ("@dead", DbType.Int64), ("@from", DbType.Int64), ("@to", DbType.Int64));
            (cut.Parameters[0].Value, cut.Parameters[1].Value, cut.Parameters[2].Value) = (dead, from, to);
            cut.ExecuteNonQuery();
        }

        protected override void Committed()
        {
            lock (log._index) log._cutBelow = Math.Max(log._cutBelow, to);
        }
    }
}
