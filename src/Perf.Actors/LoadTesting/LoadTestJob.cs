namespace Perf.Actors.LoadTesting;

/// <summary>One load test as the <see cref="LoadTests"/> singleton knows it.</summary>
/// <param name="CancelRequestedMs">when a DELETE asked it to stop; 0 if never.</param>
/// <param name="FinishedMs">when its last request ended (or it was found interrupted).</param>
/// <param name="Live">the newest second while it runs; null otherwise.</param>
public sealed record LoadTestJob(
    string Id,
    LoadTestSpec Spec,
    LoadTestStatus Status,
    long StartedMs,
    long CancelRequestedMs,
    long FinishedMs,
    LoadTestSummary Summary,
    string? Error,
    LoadTestLive? Live)
{
    /// <summary>The host its series are recorded under.</summary>
    public static string HostOf(string id) => $"loadtest-{id}";

    public double Progress(long nowMs) => Status == LoadTestStatus.Running
        ? Math.Clamp((nowMs - StartedMs) / (double)Math.Max(1, Spec.DurationMs), 0, 0.99)
        : Status == LoadTestStatus.Completed ? 1 : Math.Clamp((FinishedMs - StartedMs) / (double)Math.Max(1, Spec.DurationMs), 0, 1);
}
