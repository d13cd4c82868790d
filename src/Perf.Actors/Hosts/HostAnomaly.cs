namespace Perf.Actors.Hosts;

/// <summary>An unusual combination of a host's metrics at one moment (the host model's finding).</summary>
/// <param name="Features">the series of <paramref name="Values"/>.</param>
/// <param name="MostUnusual">the series furthest from its usual value: where to look first.</param>
public sealed record HostAnomaly(long TimestampMs, double Score, double Threshold, string[] Features, double[] Values, string MostUnusual);
