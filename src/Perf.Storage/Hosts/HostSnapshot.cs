namespace Perf.Storage.Hosts;

/// <summary>
/// Everything a host holds, as its snapshot stores it: its series in index order. With the host log records after
/// <see cref="SequenceNr"/>, it is what the host recovers from (<see cref="HostSnapshotCodec"/> has the layout).
/// </summary>
/// <param name="SequenceNr">the last host log record whose effect the snapshot includes.</param>
public sealed record HostSnapshot(long SequenceNr, IReadOnlyList<SeriesSnapshot> Series);

/// <summary>One series of a <see cref="HostSnapshot"/>.</summary>
/// <param name="Metric">its name; its index is its place in the snapshot.</param>
/// <param name="Head">the points not sealed yet, as one Gorilla chunk (empty when there are none).</param>
/// <param name="LatestMs">timestamp of its newest point (0 before the first).</param>
/// <param name="LatestValue">value of its newest point (NaN before the first).</param>
public sealed record SeriesSnapshot(string Metric, byte[] Head, long LatestMs, double LatestValue, SeriesChunks Chunks, DetectionState Detection)
{
    public static SeriesSnapshot Empty(string metric) => new(metric, [], 0, double.NaN, SeriesChunks.None, DetectionState.None);
}

/// <summary>What a series knows of its sealed chunks (the chunks themselves are rows of the chunk table).</summary>
/// <param name="NextSequence">the sequence number the next sealed chunk gets.</param>
/// <param name="OldestFirstMs">first timestamp of the oldest chunk still stored; 0 when there is none.</param>
/// <param name="LastSealedMs">last timestamp of the newest sealed chunk: head points are always newer.</param>
public sealed record SeriesChunks(long NextSequence, int Count, long Bytes, long Points, long OldestFirstMs, long LastSealedMs)
{
    public static readonly SeriesChunks None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>A series' detectors and the findings it keeps.</summary>
/// <param name="LastObservedMs">timestamp of the newest point fed to the detectors (long.MinValue before the first).</param>
/// <param name="PointsObserved">finite points fed to the detectors.</param>
public sealed record DetectionState(long LastObservedMs, long PointsObserved, IReadOnlyList<StoredDetector> Detectors, IReadOnlyList<StoredFinding> Findings)
{
    public static readonly DetectionState None = new(long.MinValue, 0, [], []);
}

/// <summary>One detector of a series.</summary>
/// <param name="Key">the configuration the state belongs to: a changed configuration starts the detector afresh.</param>
/// <param name="State">the detector's own serialised state (Perf.Analytics' <c>DetectorState</c>).</param>
/// <param name="LastAlertMs">timestamp of its latest finding; 0 when none.</param>
/// <param name="LastOutput">its output row for the newest point.</param>
public sealed record StoredDetector(string Key, byte[] State, long PointsObserved, long Alerts, long LastAlertMs, double[] LastOutput);
