namespace Perf.Actors.LoadTesting;

/// <summary>
/// Where a load test is. <see cref="Interrupted"/>: it was running when its node stopped; what it measured until its
/// last checkpoint is kept (summary, series), and it is never resumed.
/// </summary>
public enum LoadTestStatus : byte
{
    Running,
    Completed,
    Cancelled,
    Failed,
    Interrupted,
}
