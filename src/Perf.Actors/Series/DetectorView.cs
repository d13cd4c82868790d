namespace Perf.Actors.Series;

/// <summary>What one detector of a series holds, for the state endpoint.</summary>
/// <param name="Name">the detector's name.</param>
/// <param name="Kind">what its alerts are: spike, changepoint or anomaly.</param>
/// <param name="PointsObserved">points fed to it (its state continues across restarts).</param>
/// <param name="Alerts">findings it has recorded.</param>
/// <param name="LastAlertMs">timestamp of its latest finding; 0 when none.</param>
/// <param name="Columns">names of its output row.</param>
/// <param name="LastOutput">its output row for the latest point.</param>
/// <param name="StateBytes">size of its serialised state.</param>
public sealed record DetectorView(
    string Name, string Kind, long PointsObserved, long Alerts, long LastAlertMs, string[] Columns, double[] LastOutput, int StateBytes);
