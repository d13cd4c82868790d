namespace Perf.Actors.Ingestion;

public enum IngestStatus
{
    /// <summary>Every accepted point is committed.</summary>
    Stored,
    /// <summary>The engine is not keeping up; nothing was taken. Retry after a pause.</summary>
    Overloaded,
    /// <summary>A host would exceed its series limit; nothing was stored.</summary>
    CardinalityExceeded,
    /// <summary>The writes did not confirm in time, or a host failed its write; some points may be stored.
    /// Retrying is safe (same timestamps overwrite).</summary>
    TimedOut,
    /// <summary>The data directory is below its free-space reserve; nothing was taken. Retry once space is freed.</summary>
    InsufficientStorage,
}

/// <param name="Accepted">points persisted.</param>
/// <param name="RejectedTooOld">points older than their series' newest point by more than the out-of-order tolerance.</param>
/// <param name="RejectedSeries">per series key (<c>host/metric</c>), how many of its points were too old.</param>
/// <param name="Host">the host over its limit, for <see cref="IngestStatus.CardinalityExceeded"/>.</param>
/// <param name="Reason">why a write failed (<see cref="IngestStatus.TimedOut"/> after a host's failure,
/// <see cref="IngestStatus.InsufficientStorage"/>), for the answer.</param>
public sealed record IngestOutcome(
    IngestStatus Status,
    int Accepted = 0,
    int RejectedTooOld = 0,
    IReadOnlyDictionary<string, int>? RejectedSeries = null,
    string? Host = null,
    int SeriesLimit = 0,
    string? Reason = null);
