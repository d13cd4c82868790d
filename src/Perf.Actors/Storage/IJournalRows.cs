namespace Perf.Actors.Storage;

/// <summary>
/// How the series journal keeps its rows on one provider: appended in group commits, read back per series in sequence
/// order, and dropped below a series' snapshot.
/// </summary>
public interface IJournalRows
{
    /// <summary>Completes once rows can be written and read (on SQLite, after the log's start-up scan).</summary>
    Task Loaded { get; }

    /// <summary>What loading is doing while <see cref="Loaded"/> has not completed, for readiness.</summary>
    string LoadProgress { get; }

    /// <summary>Stores the rows in one transaction; completes once it has committed.</summary>
    Task AppendAsync(List<SeriesJournal.Row> rows, CancellationToken cancellationToken);

    /// <summary>
    /// The series no longer needs its rows up to <paramref name="toSequenceNr"/>. Only below a stored snapshot at that
    /// sequence number or later: on SQLite the snapshot is what keeps the deletion (and the highest sequence number)
    /// across a restart.
    /// </summary>
    Task DeleteToAsync(string persistenceId, long toSequenceNr);

    /// <summary>The series' rows from <paramref name="fromSequenceNr"/> to <paramref name="toSequenceNr"/>, in order, at most <paramref name="max"/>.</summary>
    Task ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<SeriesJournal.Row> replayed);

    /// <summary>The highest sequence number the series has used, never below <paramref name="fromSequenceNr"/> (its snapshot's).</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken);

    /// <summary>The node is stopping gracefully (its series have snapshotted): record what the next start need not read.</summary>
    Task StoppingAsync();
}
