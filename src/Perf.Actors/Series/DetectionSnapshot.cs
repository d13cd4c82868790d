namespace Perf.Actors.Series;

/// <summary>The persisted form of <see cref="SeriesDetection"/>: each detector's state and the findings kept.</summary>
/// <param name="LastObservedMs">timestamp of the newest point fed to the detectors.</param>
/// <param name="PointsObserved">finite points fed to the detectors.</param>
/// <param name="Detectors">one per detector that ran.</param>
/// <param name="Anomalies">the findings kept, oldest first.</param>
public sealed record DetectionSnapshot(long LastObservedMs, long PointsObserved, DetectorSnapshot[] Detectors, Anomaly[] Anomalies);
