namespace Perf.Analytics.LoadTesting;

/// <summary>Where a ramp turned: the offered rate at that second and what gave way first.</summary>
/// <param name="Reason"><c>latency</c>, <c>errors</c> or <c>throughput</c> (responses fell behind the offered rate).</param>
/// <param name="BaselineP95Ms">the p95 latency of the early, lightly loaded seconds the turn is measured against.</param>
/// <param name="Throughput">responses per second in the second of the turn: about what the target sustains.</param>
public sealed record KneeResult(double Rate, long AtMs, string Reason, double BaselineP95Ms, double Throughput);
