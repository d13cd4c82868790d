using Perf.Actors.Configuration;
using static Perf.Actors.Series.SeriesEvents;

namespace Perf.Actors.Series;

/// <summary>
/// How a series rebuilds its <see cref="SeriesState"/> and <see cref="SeriesDetection"/> from its latest snapshot and
/// the journal after it, without Akka or I/O. The actor recovers through this, and backup verification runs the very
/// same code over a backup file, so "the backup verifies" means "every series of it recovers".
/// </summary>
public static class SeriesRecovery
{
    /// <summary>
    /// The state and detectors a stored snapshot restores; false when <paramref name="snapshot"/> is not a series snapshot.
    /// </summary>
    public static bool TryRestore(object snapshot, DetectorSet detectors, int maxAnomalies, out SeriesState state, out SeriesDetection detection)
    {
        switch (snapshot)
        {
            case SeriesActorSnapshot current:
                state = SeriesState.FromSnapshot(current.Storage);
                detection = SeriesDetection.FromSnapshot(detectors, maxAnomalies, current.Detection);
                return true;
            case SeriesSnapshot old:
                // Written before series ran detectors: the detectors start afresh from the points replayed after it.
                state = SeriesState.FromSnapshot(old);
                detection = new SeriesDetection(detectors, maxAnomalies);
                return true;
            default:
                state = new SeriesState();
                detection = new SeriesDetection(detectors, maxAnomalies);
                return false;
        }
    }

    /// <summary>One journal event during recovery: as <see cref="Apply"/>, and recorded points also advance the detectors
    /// exactly as they did live (their findings are replayed from their own <see cref="AnomaliesDetected"/> events).</summary>
    public static void Replay(SeriesState state, SeriesDetection detection, ISeriesEvent e)
    {
        if (e is PointsRecorded recorded)
        {
            state.Apply(recorded);
            detection.Observe(recorded);
        }
        else Apply(state, detection, e);
    }

    /// <summary>A persisted event's effect on the state and the kept findings (live, after the write, and in replay).</summary>
    public static void Apply(SeriesState state, SeriesDetection detection, ISeriesEvent e)
    {
        switch (e)
        {
            case AnomaliesDetected detected: detection.Apply(detected); break;
            case ChunksExpired expired:
                state.Apply(expired);
                detection.Expire(expired.CutoffMs);
                break;
            case ChunksRetained retained:
                state.Apply(retained);
                detection.Expire(retained.CutoffMs);
                break;
            default: state.Apply(e); break;
        }
    }
}
