namespace Perf.Actors.LoadTesting;

/// <summary>The newest whole second of a running test (memory only: it means nothing after a restart).</summary>
public sealed record LoadTestLive(long SecondMs, double Level, long Requests, long Responses, long Errors, double P50Ms, double P95Ms, double P99Ms, double MaxMs);
