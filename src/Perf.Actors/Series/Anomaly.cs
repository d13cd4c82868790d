namespace Perf.Actors.Series;

/// <summary>
/// One alert-worthy output of a detector at one point: a spike, a change point, or an ensemble score above its threshold.
/// </summary>
/// <param name="TimestampMs">the point's timestamp (epoch milliseconds).</param>
/// <param name="Value">the point's value.</param>
/// <param name="Detector">the detector's name (iid-spike, ensemble, ...).</param>
/// <param name="Kind">spike, changepoint or anomaly (<see cref="Perf.Analytics.Detection.DetectorCatalog.AlertKind"/>).</param>
/// <param name="Score">the detector's Score column.</param>
/// <param name="PValue">its P-Value (the ensemble: its tail probability); NaN when it has none.</param>
/// <param name="Martingale">a change-point detector's martingale; NaN for the others.</param>
public sealed record Anomaly(long TimestampMs, double Value, string Detector, string Kind, double Score, double PValue, double Martingale)
{
    public Perf.Storage.Hosts.StoredFinding ToStored() => new(TimestampMs, Value, Detector, Kind, Score, PValue, Martingale);

    public static Anomaly From(Perf.Storage.Hosts.StoredFinding f) => new(f.TimestampMs, f.Value, f.Detector, f.Kind, f.Score, f.PValue, f.Martingale);
}
