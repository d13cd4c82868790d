namespace Perf.Storage.Hosts;

/// <summary>A detector finding as host records and snapshots keep it (the engine's <c>Anomaly</c>).</summary>
public sealed record StoredFinding(long TimestampMs, double Value, string Detector, string Kind, double Score, double PValue, double Martingale);
