namespace Perf.Analytics.LoadTesting;

/// <summary>One second of a load test, as the knee search sees it.</summary>
/// <param name="OfferedRate">the rate the test meant to send at in that second (requests/s; the ramp's value).</param>
/// <param name="Throughput">responses completed in that second.</param>
/// <param name="P95Ms">95th percentile latency of those responses, in milliseconds.</param>
/// <param name="ErrorRate">failed responses / responses, in [0, 1].</param>
public sealed record LoadSecond(long SecondMs, double OfferedRate, double Throughput, double P95Ms, double ErrorRate);
