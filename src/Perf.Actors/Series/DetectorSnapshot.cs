namespace Perf.Actors.Series;

/// <summary>The persisted form of one detector of a <see cref="SeriesDetection"/>.</summary>
/// <param name="Key">the configuration the state belongs to (<see cref="Configuration.DetectorSpec.Key"/>).</param>
/// <param name="State">the detector's state (<see cref="Perf.Analytics.Detection.DetectorState"/>).</param>
/// <param name="PointsObserved">points fed to this detector.</param>
/// <param name="Alerts">findings recorded.</param>
/// <param name="LastAlertMs">timestamp of the latest; 0 when none.</param>
/// <param name="LastOutput">output row of the latest point.</param>
public sealed record DetectorSnapshot(string Key, byte[] State, long PointsObserved, long Alerts, long LastAlertMs, double[] LastOutput);
